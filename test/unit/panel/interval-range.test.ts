import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intervalRange } from '../../../webview/charts';

test('the y range covers every CI whisker and zero, so whiskers are never cut off', () => {
  assert.deepEqual(intervalRange([[[-0.52, 0.45], null], [[-0.47, 0.49]]]), { suggestedMin: -0.52, suggestedMax: 0.49 });
  assert.deepEqual(intervalRange([[[0.2, 0.6]]]), { suggestedMin: 0, suggestedMax: 0.6 });
  // A difference of two correlations may leave [−1, 1]; the range follows it.
  assert.deepEqual(intervalRange([[], [], [[-1.3, 0.4]]]), { suggestedMin: -1.3, suggestedMax: 0.4 });
  assert.deepEqual(intervalRange(undefined), {});
  assert.deepEqual(intervalRange([[null]]), {});
});
