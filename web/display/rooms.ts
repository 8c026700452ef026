import { ref } from 'vue';
import { api, type Device, type Resident } from '../shared/api.js';
import type { Labels } from '../shared/labels.js';

export interface Bed {
  name: string;
  occupied: boolean | null;
  hr: number | null;
  rr: number | null;
  spo2: number | null;
}
export interface Room {
  id: string;
  name: string;
  beds: Bed[];
  offline: number;
  lowBattery: number;
}

const LOW_BATTERY = 20;
const REFRESH_MS = 30_000;

function bed(resident: Resident): Bed {
  const latest = (field: 'hr' | 'rr' | 'spo2' | 'occupied') =>
    resident.latestVitals?.map((v) => v[field]).find((v) => v !== null) ?? null;
  return {
    name: resident.name ?? resident.id,
    occupied: latest('occupied') as boolean | null,
    hr: latest('hr') as number | null,
    rr: latest('rr') as number | null,
    spo2: latest('spo2') as number | null,
  };
}

/** Every room with its residents' beds and its devices, refreshed every 30 s; `allowed` false for watch-only tokens. */
export function useRooms(facility: string, labels: Labels) {
  const rooms = ref<Room[]>([]);
  const allowed = ref(true);

  async function load(): Promise<void> {
    const [residents, devices] = await Promise.all([
      api.GET('/api/v1/residents', { params: { query: { facility, limit: 500 } } }),
      api.GET('/api/v1/devices', { params: { query: { facility, retired: 'false', limit: 500 } } }),
    ]);
    if (residents.response.status === 403) return void (allowed.value = false);
    if (!residents.data || !devices.data) return;
    const details = await Promise.all(
      residents.data.residents.map((r) =>
        api.GET('/api/v1/residents/{facility}/{resident}', { params: { path: { facility, resident: r.id } } }),
      ),
    );
    const byRoom = new Map<string, Room>();
    const room = (id: string | null) => {
      const key = id ?? '';
      if (!byRoom.has(key))
        byRoom.set(key, {
          id: key,
          name: (id && labels.locations[id]) || id || '',
          beds: [],
          offline: 0,
          lowBattery: 0,
        });
      return byRoom.get(key)!;
    };
    for (const { data } of details) if (data) room(data.location).beds.push(bed(data));
    for (const d of devices.data.devices as Device[]) {
      const where = room(d.location ?? residents.data.residents.find((r) => r.id === d.resident)?.location ?? null);
      if (d.online === false || d.silent) where.offline += 1;
      if (d.battery !== null && d.battery < LOW_BATTERY) where.lowBattery += 1;
    }
    rooms.value = [...byRoom.values()]
      .filter((r) => r.id)
      .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN', { numeric: true }));
  }
  void load().catch(() => undefined);
  const timer = setInterval(() => void load().catch(() => undefined), REFRESH_MS);
  return { rooms, allowed, stop: () => clearInterval(timer) };
}
