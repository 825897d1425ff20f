/**
 * R4 Subscriptions the gateway accepts: rest-hook only, on Task, with criteria our search understands
 * (strictly parsed, so a typo is a 400 rather than a subscription to everything). Which Tasks a
 * subscriber is told about is decided later with its own access filter (subscriptions.ts), so criteria
 * can never reach beyond what the subscriber may read. A `requested` Subscription becomes `active`.
 */
import type { Subscription } from '@medplum/fhirtypes';
import { GatewayError, SubscriptionInvalid } from '../fhir/errors.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import { parseSearchRequest, type SearchRequest } from '../search/request.ts';

const PAYLOADS = new Set(['application/fhir+json', 'application/json', 'application/json+fhir']);

export function parseCriteria(criteria: string | undefined, registry: SearchParamRegistry): SearchRequest {
  const m = /^Task(\?(.*))?$/.exec(criteria ?? '');
  if (!m) throw SubscriptionInvalid({ params: ['Subscription.criteria', 'only Task criteria (Task?…) are supported'], expression: ['Subscription.criteria'] });
  const query = Object.fromEntries(new URLSearchParams(m[2] ?? ''));
  for (const k of Object.keys(query))
    if (k.startsWith('_') && k !== '_id' && k !== '_tag' && k !== '_lastUpdated')
      throw SubscriptionInvalid({ params: ['Subscription.criteria', `${k.slice(0, 40)} cannot be used in criteria`], expression: ['Subscription.criteria'] });
  try {
    return parseSearchRequest('Task', query, registry);
  } catch (err) {
    const why = err instanceof GatewayError ? err.message : 'not a valid Task search';
    throw SubscriptionInvalid({ params: ['Subscription.criteria', why], expression: ['Subscription.criteria'] });
  }
}

export function checkSubscription(sub: Subscription, registry: SearchParamRegistry): Subscription {
  parseCriteria(sub.criteria, registry);
  if (sub.channel?.type !== 'rest-hook')
    throw SubscriptionInvalid({ params: ['Subscription.channel.type', 'only rest-hook is supported'], expression: ['Subscription.channel.type'] });
  let url: URL;
  try {
    url = new URL(sub.channel.endpoint ?? '');
  } catch {
    throw SubscriptionInvalid({ params: ['Subscription.channel.endpoint', 'must be an absolute http(s) URL'], expression: ['Subscription.channel.endpoint'] });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw SubscriptionInvalid({ params: ['Subscription.channel.endpoint', 'must be an absolute http(s) URL'], expression: ['Subscription.channel.endpoint'] });
  const payload = sub.channel.payload;
  if (payload && !PAYLOADS.has(payload))
    throw SubscriptionInvalid({
      params: ['Subscription.channel.payload', 'must be empty (id-only) or application/fhir+json'],
      expression: ['Subscription.channel.payload'],
    });
  for (const [i, h] of (sub.channel.header ?? []).entries())
    if (!/^[A-Za-z0-9-]{1,64}: ?[^\r\n]{0,1000}$/.test(h))
      throw SubscriptionInvalid({ params: [`Subscription.channel.header[${i}]`, 'must be "Name: value"'], expression: [`Subscription.channel.header[${i}]`] });
  return sub.status === 'requested' ? { ...sub, status: 'active' } : sub;
}
