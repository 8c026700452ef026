import { describe, expect, it } from 'vitest';
import { demoPlan } from './plan.js';

describe('demoPlan', () => {
  const plan = demoPlan({ facility: 'sunrise', residents: 25 });
  const devicesAt = (location: string, kind: string) =>
    plan.devices.filter((d) => d.location === location && d.kind === kind && !d.resident);

  it('meets the default coverage policy (docs/ARCHITECTURE.md "Coverage audit")', () => {
    const places = (kind: string) => plan.locations.filter((l) => l.kind === kind);
    for (const room of places('room')) expect(devicesAt(room.id, 'smoke')).toHaveLength(1);
    for (const kitchen of places('kitchen')) expect(devicesAt(kitchen.id, 'gas')).toHaveLength(1);
    for (const board of places('board')) expect(devicesAt(board.id, 'electrical')).toHaveLength(1);
    for (const exit of places('exit')) expect(devicesAt(exit.id, 'door')).toHaveLength(1);
    for (const r of plan.residents) {
      const own = plan.devices.filter((d) => d.resident === r.id).map((d) => d.kind);
      const dependent = r.careLevel !== 'self-care';
      expect(own.includes('bedmat') && own.includes('button')).toBe(dependent);
      expect(own.includes('wristband')).toBe(r.fallRisk !== 'none' || Boolean(r.wanderRisk));
    }
    expect(plan.devices.filter((d) => d.kind === 'pir').length).toBeGreaterThanOrEqual(1);
  });

  it('has a realistic mix of residents and one room each', () => {
    const count = (pred: (r: (typeof plan.residents)[number]) => boolean) => plan.residents.filter(pred).length;
    expect(plan.residents).toHaveLength(25);
    expect(count((r) => r.careLevel === 'self-care')).toBeGreaterThan(5);
    expect(count((r) => r.careLevel === 'fully-dependent')).toBeGreaterThan(2);
    expect(count((r) => r.fallRisk === 'high')).toBeGreaterThan(2);
    expect(count((r) => Boolean(r.wanderRisk))).toBeGreaterThan(3);
    expect(new Set(plan.residents.map((r) => r.location)).size).toBe(25);
  });

  it('is a Chinese care home: Chinese names, rooms by floor, Asia/Shanghai', () => {
    const big = demoPlan({ residents: 143 });
    expect(big.facility).toMatchObject({ name: '松鹤养老院（demo）', timezone: 'Asia/Shanghai' });
    const names = big.residents.map((r) => r.name);
    expect(new Set(names).size).toBe(143);
    expect(names.every((name) => /^[\u4e00-\u9fff]{2,3}$/.test(name ?? ''))).toBe(true);
    const rooms = big.locations.filter((l) => l.kind === 'room').map((l) => l.name);
    expect([rooms[0], rooms[19], rooms[20], rooms[142]]).toEqual(['101 房', '120 房', '201 房', '803 房']);
    expect(big.locations.every((l) => /[\u4e00-\u9fff]/.test(l.name ?? ''))).toBe(true);
  });

  it('gives globally unique, valid device ids prefixed by the facility', () => {
    const ids = plan.devices.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^sunrise-[A-Za-z0-9_-]+$/.test(id))).toBe(true);
  });

  it('refuses a resident count out of range and a facility id too long for device ids', () => {
    expect(() => demoPlan({ residents: 0 })).toThrow(/residents/);
    expect(() => demoPlan({ facility: 'f'.repeat(60), residents: 1 })).toThrow(/too long/);
  });
});
