/**
 * The sidebar's GPU section: the kernel's monitor (its samples, kept as long as the kernel
 * keeps them) and the channel's status; its view holds no state of its own.
 */
import * as React from 'react';
import { clockText, num, percent, size } from './format';
import type { ChannelStatus } from './model';
import {
  IGpu,
  IHost,
  IKernelInfo,
  IMonitor,
  IMonitorMessage,
  ISample,
  ISampleMessage,
  isMonitor,
  isSample
} from './protocol';
import type { ISection } from './sections';
import { Sparkline } from './sparkline';

/** The GPU section's part of a kernel's state. */
export interface IGpuPart {
  kernel: IKernelInfo | null;
  monitor: IMonitor | null;
  /** Oldest first, as many as the kernel keeps (at most MAX_HISTORY). */
  history: ISample[];
}

export const MAX_HISTORY = 36000;

function capacity(monitor: IMonitor | null): number {
  if (!monitor) {
    return MAX_HISTORY;
  }
  const wanted = Math.ceil(monitor.history_s / monitor.interval_s);
  return Math.max(1, Math.min(MAX_HISTORY, wanted));
}

export const gpuSection: ISection<IGpuPart, ISampleMessage | IMonitorMessage> = {
  id: 'gpu',
  title: 'GPU',
  rank: 100,
  types: ['sample', 'monitor'],
  parse: data => {
    if (data.type === 'sample') {
      return isSample(data.sample) ? (data as unknown as ISampleMessage) : null;
    }
    return isMonitor(data.monitor) ? (data as unknown as IMonitorMessage) : null;
  },
  initial: { kernel: null, monitor: null, history: [] },
  // The snapshot's kernel, monitor and history are required: the protocol checks them.
  fromSnapshot: (_, snapshot) => ({
    kernel: snapshot.kernel,
    monitor: snapshot.monitor,
    history: snapshot.history.slice(-capacity(snapshot.monitor))
  }),
  reduce: (part, msg) => {
    if (msg.type === 'monitor') {
      return {
        ...part,
        monitor: msg.monitor,
        history: part.history.slice(-capacity(msg.monitor))
      };
    }
    const last = part.history[part.history.length - 1];
    if (last && msg.sample.t <= last.t) {
      return part; // already have it (a snapshot raced this sample)
    }
    const history = part.history.concat([msg.sample]);
    return { ...part, history: history.slice(-capacity(part.monitor)) };
  },
  readsStatus: true,
  View: props => (
    <GpuSection
      label={props.host.label()}
      status={props.status}
      message={props.message}
      part={props.part}
    />
  )
};

const NEARLY_FULL = 90; // percent

const STATE_TITLES: Record<string, string> = {
  no_driver: 'CPU only: no NVIDIA driver',
  no_gpu: 'CPU only: no GPU visible',
  error: 'GPU monitor error'
};

export interface IGpuSectionProps {
  /** The active notebook's name, or null when no notebook is open. */
  label: string | null;
  /** Where the sidebar stands with its kernel; null when no notebook is open. */
  status: ChannelStatus | null;
  message: string | null;
  part: IGpuPart;
}

export function GpuSection(props: IGpuSectionProps): JSX.Element {
  const { label, status, part } = props;
  if (label === null || status === null) {
    return (
      <div className="dlm-gpu" data-status="no-notebook">
        <p className="dlm-hint">Open a notebook to see its kernel here.</p>
      </div>
    );
  }
  return (
    <div className="dlm-gpu" data-status={status}>
      <div className="dlm-source">
        <span className="dlm-notebook" title={label}>
          {label}
        </span>
        {part.kernel && (
          <span className="dlm-kernel-pid">kernel pid {part.kernel.pid}</span>
        )}
      </div>
      <StatusBody status={status} message={props.message} part={part} />
    </div>
  );
}

function StatusBody(props: {
  status: ChannelStatus;
  message: string | null;
  part: IGpuPart;
}): JSX.Element {
  switch (props.status) {
    case 'no-kernel':
      return <p className="dlm-hint">This notebook has no running kernel.</p>;
    case 'connecting':
      return <p className="dlm-hint">Asking the kernel…</p>;
    case 'restarting':
      return (
        <p className="dlm-hint">
          The kernel is restarting. Run <code>%load_ext dlmagics</code> again
          once it is back.
        </p>
      );
    case 'no-channel':
      return (
        <>
          <p className="dlm-hint dlm-load-hint">
            Run <code>%load_ext dlmagics</code> in this notebook to see its GPU
            and memory here.
          </p>
          <p className="dlm-muted dlm-small">
            Loaded already? <code>%reload_ext dlmagics</code> reconnects.
          </p>
        </>
      );
    case 'incompatible':
      return <p className="dlm-error">{props.message}</p>;
    case 'connected':
      return <Monitor part={props.part} />;
  }
}

function Monitor({ part }: { part: IGpuPart }): JSX.Element {
  const history = part.history;
  const latest: ISample | undefined = history[history.length - 1];
  const monitor = part.monitor;
  if (!latest) {
    return (
      <p className="dlm-hint">
        {monitor?.running ? (
          'Waiting for the first sample…'
        ) : (
          <>
            The monitor is stopped. Run <code>%gpumon --start</code>.
          </>
        )}
      </p>
    );
  }
  return (
    <>
      {latest.state !== 'ok' && (
        <div className="dlm-callout" data-state={latest.state}>
          <strong>{STATE_TITLES[latest.state] ?? latest.state}.</strong>{' '}
          {latest.message}
        </div>
      )}
      {latest.gpus.map(gpu => (
        <GpuCard
          key={gpu.uuid}
          gpu={gpu}
          torchStatus={latest.torch.status}
          history={history}
        />
      ))}
      <HostCard host={latest.host} history={history} />
      <p className="dlm-footer">
        {monitor?.running
          ? `Every ${monitor.interval_s} s, ${latest.cost_ms.toFixed(1)} ms per sample. `
          : 'Monitor stopped (%gpumon --start resumes). '}
        Last sample {clockText(latest.t)}.
      </p>
    </>
  );
}

function Bar(props: {
  used: number | null;
  inner?: number | null;
  label: string;
}): JSX.Element {
  const width = (v: number | null | undefined): string =>
    `${Math.min(Math.max(v ?? 0, 0), 100).toFixed(1)}%`;
  // Close to full: the next allocation may fail with out-of-memory.
  const nearlyFull = props.used !== null && props.used >= NEARLY_FULL;
  return (
    <div
      className={`dlm-bar${nearlyFull ? ' dlm-bar-full' : ''}`}
      role="meter"
      aria-label={props.label}
      title={nearlyFull ? 'Nearly full: new allocations may run out of memory' : undefined}
    >
      <div className="dlm-bar-used" style={{ width: width(props.used) }} />
      {props.inner !== undefined && (
        <div className="dlm-bar-inner" style={{ width: width(props.inner) }} />
      )}
    </div>
  );
}

function GpuCard(props: {
  gpu: IGpu;
  torchStatus: ISample['torch']['status'];
  history: ISample[];
}): JSX.Element {
  const { gpu, torchStatus, history } = props;
  const title = `GPU ${gpu.index}: ${gpu.name ?? gpu.uuid}`;
  if (gpu.status === 'lost') {
    return (
      <div className="dlm-card dlm-gpu-card" data-gpu={gpu.index} data-lost="">
        <div className="dlm-card-title">{title}</div>
        <p className="dlm-error">{gpu.error}</p>
      </div>
    );
  }
  const usedPct = percent(gpu.memory_used, gpu.memory_total);
  const mine = gpu.torch;
  const series = (pick: (g: IGpu) => number | null) =>
    history.map(s => {
      const g = s.gpus.find(x => x.uuid === gpu.uuid);
      return g && g.status === 'ok' ? pick(g) : null;
    });
  return (
    <div className="dlm-card dlm-gpu-card" data-gpu={gpu.index}>
      <div className="dlm-card-title">{title}</div>
      <div className="dlm-row">
        <span>VRAM</span>
        <span className="dlm-vram">
          {size(gpu.memory_used)} / {size(gpu.memory_total)}
          {usedPct !== null && ` (${usedPct.toFixed(0)}%)`}
        </span>
      </div>
      <Bar
        used={usedPct}
        inner={mine ? percent(mine.reserved, gpu.memory_total) : undefined}
        label="VRAM used"
      />
      <div className="dlm-row dlm-torch">
        {mine ? (
          <span>
            This kernel's PyTorch: {size(mine.allocated)} allocated,{' '}
            {size(mine.reserved)} reserved, {size(mine.peak)} peak
          </span>
        ) : (
          <span className="dlm-muted">
            {torchStatus === 'not_imported'
              ? 'PyTorch is not imported in this kernel.'
              : "This kernel's PyTorch has not used CUDA yet."}
          </span>
        )}
      </div>
      <div className="dlm-row dlm-stats">
        <span title="Share of time a kernel ran on the GPU">
          Util {num(gpu.utilization, '%')}
        </span>
        <span>{num(gpu.temperature, ' °C')}</span>
        <span>
          {num(gpu.power, ' W')}
          {gpu.power_limit !== null && ` / ${gpu.power_limit.toFixed(0)} W`}
        </span>
      </div>
      <Sparkline
        label={`${title}: VRAM used and utilisation over time`}
        series={[
          {
            values: series(g => percent(g.memory_used, g.memory_total)),
            className: 'dlm-line-memory'
          },
          { values: series(g => g.utilization), className: 'dlm-line-util' }
        ]}
      />
      <div className="dlm-legend">
        <span className="dlm-key-memory">VRAM %</span>
        <span className="dlm-key-util">utilisation %</span>
      </div>
    </div>
  );
}

/** Values as percent of their own maximum, so a small process's growth shows. */
function relative(values: (number | null)[]): (number | null)[] {
  const peak = Math.max(0, ...values.map(v => v ?? 0));
  return values.map(v => (v === null || peak === 0 ? null : (100 * v) / peak));
}

function HostCard(props: { host: IHost; history: ISample[] }): JSX.Element {
  const { host, history } = props;
  const rssPct = percent(host.rss, host.memory_total);
  const cpuScale = (s: ISample) =>
    s.host.cpu_percent === null
      ? null
      : s.host.cpu_percent / Math.max(1, s.host.cpu_count ?? 1);
  return (
    <div className="dlm-card dlm-host-card">
      <div className="dlm-card-title">Kernel process</div>
      <div className="dlm-row">
        <span>Memory (RSS)</span>
        <span className="dlm-rss">
          {size(host.rss)} of {size(host.memory_total)}
        </span>
      </div>
      <Bar used={rssPct} label="Kernel memory" />
      <div className="dlm-row">
        <span>CPU</span>
        <span className="dlm-cpu">
          {num(host.cpu_percent, '%')} of one core
          {host.cpu_count !== null && ` (${host.cpu_count} cores)`}
        </span>
      </div>
      <Sparkline
        label="Kernel process: memory and CPU over time"
        series={[
          { values: relative(history.map(s => s.host.rss)), className: 'dlm-line-memory' },
          { values: history.map(cpuScale), className: 'dlm-line-util' }
        ]}
      />
      <div className="dlm-legend">
        <span className="dlm-key-memory">memory (of its peak here)</span>
        <span className="dlm-key-util">CPU % of all cores</span>
      </div>
    </div>
  );
}
