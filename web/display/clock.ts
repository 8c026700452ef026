import type { InjectionKey, Ref } from 'vue';

/** The wall's clock (the stream's `now`, a tick a second), provided by WallBoard to the tiles' "… ago" texts. */
export type Clock = Readonly<Ref<number>>;
export const NOW: InjectionKey<Clock> = Symbol('now');
