import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The repository must explain itself: no comment or page may send a newcomer to a document that is not in it.
const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const self = relative(root, fileURLToPath(import.meta.url));

const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((path) => path && !path.split('/').includes('node_modules') && path !== self)
  .filter((path) => existsSync(join(root, path)));

const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Documents and folders outside the repository, by name. */
const OUTSIDE = [
  { what: 'DESIGN.md', pattern: /DESIGN\.md/ },
  { what: 'a path outside the repository', pattern: /\/work\/(?:shared|main|wt)\b/ },
  // The project's shared folder beside the repository (a `shared/` folder inside it, e.g. web/shared/, is fine).
  { what: 'the shared folder beside the repository', pattern: /(?:\.\.\/)+shared\/(?:[A-Z]+\.md|notes\/|hooks\/)/ },
];

/** Relative paths (`../../shared/x`) anywhere in a file; those that climb out of the repository are refused. */
const RELATIVE = /(?<![\w./])(?:\.\.\/)+[\w.-]+/g;
const escapes = (path: string, relativePath: string) =>
  relative(root, resolve(root, dirname(path), relativePath)).startsWith('..');

/** `[text](target)` in Markdown, without images' or inline code's special cases (none in our docs). */
const LINK = /\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;

/**
 * A cited section: `docs/<page>.md "<section>"` in code, `[page.md](page.md) "<section>"` in Markdown; the page is
 * one of docs/ or of the root.
 */
const CITATION = /(?:docs\/)?\b([A-Za-z][\w.-]*\.md)(?:\]\([^)\s]*\))? "([^"]+)"/g;

const headings = (markdown: string) =>
  [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => m[1]!.replace(/`/g, '').trim().toLowerCase());

describe('docs stand alone', () => {
  it('no tracked file cites DESIGN.md or a document outside the repository', () => {
    const offenders: string[] = [];
    for (const path of tracked) {
      const lines = read(path).split('\n');
      lines.forEach((line, i) => {
        for (const { what, pattern } of OUTSIDE) if (pattern.test(line)) offenders.push(`${path}:${i + 1}: ${what}`);
        for (const [climb] of line.matchAll(RELATIVE)) {
          if (escapes(path, climb)) offenders.push(`${path}:${i + 1}: ${climb} is outside the repository`);
        }
      });
    }
    expect(offenders, 'point these at docs/ (e.g. docs/rules.md "Auto-clear") instead').toEqual([]);
  });

  it('every relative link in README.md and docs/*.md points at a file of the repository', () => {
    const pages = tracked.filter((path) => path === 'README.md' || /^docs\/[^/]+\.md$/.test(path));
    expect(pages).toContain('docs/ARCHITECTURE.md');
    const broken: string[] = [];
    for (const page of pages) {
      for (const [, target] of read(page).matchAll(LINK)) {
        if (/^[a-z][a-z+.-]*:/i.test(target!) || target!.startsWith('#')) continue;
        const file = resolve(root, dirname(page), decodeURIComponent(target!.split('#')[0]!));
        const inside = !relative(root, file).startsWith('..');
        if (!inside || !existsSync(file)) broken.push(`${page}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every cited section (docs/<page>.md "<section>") is a heading of that page', () => {
    const missing: string[] = [];
    for (const path of tracked) {
      for (const [, page, section] of read(path).matchAll(CITATION)) {
        if (page === 'DESIGN.md') continue; // reported above
        const file = [join(root, 'docs', page!), join(root, page!)].find((f) => existsSync(f));
        const wanted = section!.replace(/`/g, '').replace(/\s+/g, ' ').toLowerCase();
        const found = file !== undefined && headings(readFileSync(file, 'utf8')).some((h) => h.includes(wanted));
        if (!found) missing.push(`${path}: ${page} "${section}"`);
      }
    }
    expect(missing).toEqual([]);
  });
});
