import createClient from 'openapi-fetch';
import type { paths } from './api-schema.js';
import { displayToken } from './auth.js';

/**
 * The api, typed from its OpenAPI document (`npm run gen:client -w web`); pages use nothing else. A person's
 * session cookie rides along by itself (same origin); a wall display's token is sent as a bearer token.
 */
export const api = createClient<paths>({ baseUrl: location.origin });
api.use({
  onRequest({ request }) {
    const credential = request.headers.get('authorization') ? null : displayToken();
    if (credential) request.headers.set('authorization', `Bearer ${credential}`);
    return request;
  },
});

/** The `Authorization` header of someone else than the page's credential (a caregiver at a display). */
export const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
/** An alert as the list route returns it (with its `assignee`). */
type ListedAlert = Json<paths['/api/v1/alerts']['get']['responses'][200]>['alerts'][number];
/** An alert as every source carries it: the stream and the timeline have no `assignee`. */
export type Alert = Omit<ListedAlert, 'assignee'>;
export type Resident = Json<paths['/api/v1/residents/{facility}/{resident}']['get']['responses'][200]>;
export type Device = Json<paths['/api/v1/devices']['get']['responses'][200]>['devices'][number];
export type Timeline = Json<paths['/api/v1/alerts/{id}/timeline']['get']['responses'][200]>;
export type Drills = Json<paths['/api/v1/drills']['get']['responses'][200]>;
export type Facility = Json<paths['/api/v1/facilities/{facility}']['get']['responses'][200]>;
export type Resolution = NonNullable<
  paths['/api/v1/alerts/{id}/resolve']['post']['requestBody']
>['content']['application/json'];
export type BoardRoom = Json<paths['/api/v1/rooms']['get']['responses'][200]>['rooms'][number];
export type ResidentPatch = NonNullable<
  paths['/api/v1/residents/{facility}/{resident}']['patch']['requestBody']
>['content']['application/json'];
export type ResidentThresholds = Json<
  paths['/api/v1/residents/{facility}/{resident}/thresholds']['get']['responses'][200]
>;
export type AlertDetail = Json<paths['/api/v1/alerts/{id}']['get']['responses'][200]>;
export type Me = Json<paths['/api/v1/me']['get']['responses'][200]>;
/** The analytics routes also answer CSV (a string) when asked; the pages ask for JSON. */
type Report<T> = Exclude<Json<T>, string>;
export type ResponseAnalytics = Report<paths['/api/v1/analytics/response']['get']['responses'][200]>;
export type FalseAlarms = Report<paths['/api/v1/analytics/false-alarms']['get']['responses'][200]>;
export type FacilityFalseAlarms = Report<
  paths['/api/v1/analytics/false-alarms/facilities']['get']['responses'][200]
>['facilities'][number];
