import type { TrialView } from '../../schemas/search-schemas.js';
import { printJson, type Command } from './command.js';

export const trialCancel: Command = {
  path: ['trial', 'cancel'],
  args: ['<searchId>', '<trialId>'],
  summary: 'cancel one trial: a waiting one now, a running one at its next epoch boundary',
  details: 'Works on a retrain of a completed search too; the search goes on with its other trials. The epochs a running trial trained are kept.',
  options: ['json'],
  async run({ api, args: [searchId, trialId], values, out }) {
    const trial = await api.json<TrialView>('POST', `/searches/${encodeURIComponent(searchId)}/trials/${encodeURIComponent(trialId)}/cancel`);
    if (values.json) { printJson(out, trial); return 0; }
    out.write(trial.status === 'cancelled'
      ? `trial ${trial.number} (${trial.id}) cancelled\n`
      : `trial ${trial.number} (${trial.id}) is ${trial.status}: it stops at its next epoch boundary\n`);
    return 0;
  },
};
