import { parseDuration } from '../duration.ts';
import type { SlaSettings, TargetSettings } from '../settings/policy-schema.ts';
import { selectPolicy } from '../settings/sla-select.ts';
import type { Kpis } from './kpis.ts';

/** One KPI beside its target: `at least` for shares we want high, `at most` for times and shares we want low. */
export interface Scored {
  id: string;
  label: string;
  unit: 'share' | 'ms';
  actual: number | null;
  target: number;
  direction: 'at least' | 'at most';
  /** null while there is nothing to measure. */
  met: boolean | null;
}

/** The first response target of a channel: targets.yaml, else the channel's normal policy in sla.yaml. */
export function firstResponseTarget(targets: TargetSettings, sla: SlaSettings, channel: string): number | null {
  const own = targets.firstResponse[channel];
  if (own) return parseDuration(own);
  const policy = selectPolicy(sla, { channel, priority: 'normal', vip: false });
  return policy?.firstResponse ? parseDuration(policy.firstResponse) : null;
}

function scored(
  id: string,
  label: string,
  unit: Scored['unit'],
  actual: number | null,
  target: number,
  direction: Scored['direction'],
): Scored {
  const met = actual === null ? null : direction === 'at least' ? actual >= target : actual <= target;
  return { id, label, unit, actual, target, direction, met };
}

/**
 * Every KPI that has a target, beside it. `channel` adds the first response
 * target of that channel (in business time, as the SLA clocks count it).
 */
export function againstTargets(k: Kpis, targets: TargetSettings, sla: SlaSettings, channel?: string): Scored[] {
  const list = [
    scored('csat', 'CSAT (4–5 of 5)', 'share', k.csat.rate, targets.csat, 'at least'),
    scored('fcr', 'First contact resolution', 'share', k.fcr.rate, targets.fcr, 'at least'),
    scored('aht', 'Average handle time', 'ms', k.handleTime.avgMs, parseDuration(targets.aht), 'at most'),
    scored(
      'backlog_beyond_sla',
      'Backlog beyond SLA',
      'share',
      k.backlog.beyondSla.rate,
      targets.backlogBeyondSla,
      'at most',
    ),
    scored('sla_attainment', 'SLA attainment', 'share', k.slaAttainment.rate, targets.slaAttainment, 'at least'),
    scored('reopen_rate', 'Reopen rate', 'share', k.reopenRate.rate, targets.reopenRate, 'at most'),
    scored('deflection', 'Self-service deflection', 'share', k.deflection.rate, targets.deflection, 'at least'),
  ];
  const frt = channel ? firstResponseTarget(targets, sla, channel) : null;
  if (frt !== null)
    list.push(
      scored(
        'first_response',
        `First response (${channel})`,
        'ms',
        k.firstResponse.agent.business.avgMs,
        frt,
        'at most',
      ),
    );
  return list;
}
