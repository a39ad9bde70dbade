/** The states a job or subjob can report in an event. */
export const EVENT_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];
