/** A share (0–1) as a percentage with one decimal, as the analytics tables show it: 0.6667 → "66.7 %". */
export const sharePercent = (share: number): string => `${Math.round(share * 1000) / 10} %`;
