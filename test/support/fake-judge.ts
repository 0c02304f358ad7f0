// A scripted "model" for the judge method on the loopback fakes: interview prompts get ten numbered summaries
// whose stances are planted from a hash of the prompt (so every paraphrase differs, reproducibly), and the
// judge prompt (core/scoring/judge.ts) is answered by reading those summaries back: "in favour" → pro,
// "against" → con, anything else → neither. The test recomputes the planted counts with `plantedStances`.

import { JUDGE_MARKER } from '../../src/core/scoring/judge';
import { hashText } from './fake-common';

export interface Planted {
  pro: number;
  con: number;
  neither: number;
}

/** The stances planted for a generation prompt (as the fake sees it). */
export function plantedStances(prompt: string): Planted {
  const h = hashText(prompt);
  const pro = h % 11;
  const neither = (h >>> 8) % (11 - pro);
  return { pro, con: 10 - pro - neither, neither };
}

export function interviewSummaries(p: Planted): string {
  const lines: string[] = [];
  for (let i = 0; i < p.pro; i++) lines.push(`Citizen ${lines.length + 1} is in favour, citing personal freedom.`);
  for (let i = 0; i < p.con; i++) lines.push(`Citizen ${lines.length + 1} is against it for moral reasons.`);
  for (let i = 0; i < p.neither; i++) lines.push(`Citizen ${lines.length + 1} has no clear view on the matter.`);
  return lines.map((l, i) => `${i + 1}. ${l}`).join('\n');
}

/** Labels the judge fake gives the text between the judge prompt's fences. */
export function judgeLabels(prompt: string): string[] {
  const m = /"""\n([\s\S]*?)\n"""/.exec(prompt);
  if (!m) return [];
  return m[1]
    .split(/(?:^|\s)\d{1,2}\.\s/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (/in favour/i.test(s) ? 'pro' : /against/i.test(s) ? 'con' : 'neither'));
}

/** `behaviour.reply` for the fakes; `fenced` wraps the judge's JSON in a markdown fence (some models do). */
export function judgeReply(
  options: { fenced?: boolean } = {},
): (input: { model: string; prompt: string; index: number }) => string | undefined {
  return ({ prompt }) => {
    if (prompt.includes(JUDGE_MARKER)) {
      const json = JSON.stringify({ labels: judgeLabels(prompt) });
      return options.fenced ? '```json\n' + json + '\n```' : json;
    }
    if (/summar/i.test(prompt)) return interviewSummaries(plantedStances(prompt));
    return undefined;
  };
}
