// Shared distributions: a unit gets the stored copy only when codes, their order and every probability
// are the same as its own (the object's key order is what later output iterates).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnitValues } from '../../../src/core/corpus/intern';

test('identical distributions are one object; another order, value or code is not', () => {
  const v = new UnitValues();
  const first = { '1': 0.2, '2': 0.3, '3': 0.5 };
  assert.equal(v.distribution(first), first);
  assert.equal(v.distribution({ '1': 0.2, '2': 0.3, '3': 0.5 }), first);
  // Index-like codes iterate in ascending order whatever the insertion order; missing codes (−1, −2) do not.
  assert.equal(v.distribution({ '3': 0.5, '2': 0.3, '1': 0.2 }), first);
  const missing = { '1': 0.5, '-1': 0.3, '-2': 0.2 };
  assert.equal(v.distribution(missing), missing);
  const reordered = { '1': 0.5, '-2': 0.2, '-1': 0.3 };
  assert.equal(v.distribution(reordered), reordered);
  assert.equal(v.distribution({ '1': 0.5, '-2': 0.2, '-1': 0.3 }), reordered);
  const other = { '1': 0.2, '2': 0.3, '3': 0.5000000000000001 };
  assert.equal(v.distribution(other), other);
  const fewer = { '1': 0.2, '2': 0.3 };
  assert.equal(v.distribution(fewer), fewer);
  const more = { '1': 0.2, '2': 0.3, '3': 0.5, '4': 0 };
  assert.equal(v.distribution(more), more);
  const renamed = { '1': 0.2, '2': 0.3, '9': 0.5 };
  assert.equal(v.distribution(renamed), renamed);
  // −0 and 0 are one probability, as the text key "0" made them.
  const zero = { '1': 0, '2': 1 };
  assert.equal(v.distribution(zero), zero);
  assert.equal(v.distribution({ '1': -0, '2': 1 }), zero);
});

test('option orders are shared by their codes', () => {
  const v = new UnitValues();
  const a = [1, 2, 3];
  assert.equal(v.order(a), a);
  assert.equal(v.order([1, 2, 3]), a);
  const b = [3, 2, 1];
  assert.equal(v.order(b), b);
});
