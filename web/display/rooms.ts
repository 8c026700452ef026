import { ref } from 'vue';
import { api, type BoardRoom } from '../shared/api.js';
import type { Labels } from '../shared/labels.js';

export type Room = BoardRoom & { label: string };

const REFRESH_MS = 30_000;

/**
 * Every room of the facility with its beds (occupancy and, with consent, latest vital signs) and its devices offline
 * or low on battery: one request (`GET /api/v1/rooms`), refreshed every 30 s.
 */
export function useRooms(facility: string | null, labels: Labels) {
  const rooms = ref<Room[]>([]);

  async function load(): Promise<void> {
    const { data } = await api.GET('/api/v1/rooms', { params: { query: facility ? { facility } : {} } });
    if (!data) return;
    rooms.value = data.rooms
      .map((room) => ({ ...room, label: room.name ?? labels.locations[room.id] ?? room.id }))
      .sort((a, b) => a.label.localeCompare(b.label, 'zh-CN', { numeric: true }));
  }
  void load().catch(() => undefined);
  const timer = setInterval(() => void load().catch(() => undefined), REFRESH_MS);
  return { rooms, stop: () => clearInterval(timer) };
}
