/** Messages as the kernel sends them; protocol.spec.ts checks each against the schema. */
import { ISample, ISnapshotMessage } from '../protocol';

const GIB = 1024 ** 3;

export function cpuSample(t: number, rss = 0.25 * GIB): ISample {
  return {
    t,
    state: 'no_driver',
    message: 'No NVIDIA driver found, so this kernel runs on the CPU.',
    gpus: [],
    host: { rss, cpu_percent: 12.5, cpu_count: 2, memory_total: 24 * GIB },
    torch: { status: 'not_imported' },
    cost_ms: 0.4
  };
}

export function gpuSample(t: number, used = 12 * GIB): ISample {
  return {
    t,
    state: 'ok',
    message: null,
    gpus: [
      {
        index: 0,
        uuid: 'GPU-00000000-1111-2222-3333-444444444444',
        name: 'NVIDIA H200',
        status: 'ok',
        error: null,
        memory_used: used,
        memory_total: 141 * GIB,
        utilization: 37,
        temperature: 41,
        power: 312,
        power_limit: 700,
        torch: { allocated: 4 * GIB, reserved: 6 * GIB, peak: 5 * GIB }
      }
    ],
    host: { rss: GIB, cpu_percent: 101, cpu_count: 16, memory_total: 128 * GIB },
    torch: { status: 'cuda_active', version: '2.11.0' },
    cost_ms: 0.3
  };
}

export function snapshot(history: ISample[], running = true): ISnapshotMessage {
  return {
    type: 'snapshot',
    kernel: { pid: 4242, python: '3.11.7', dlmagics: '0.1.0' },
    monitor: { running, interval_s: 1, history_s: 900 },
    history
  };
}
