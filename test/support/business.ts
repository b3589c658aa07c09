import { createCalendar } from '../../src/calendar/calendar.ts';
import { businessFile } from '../../src/settings/schema.ts';

/** A shop open Monday to Friday, 09:00–17:00 in London: the hours the policy and KPI tests count in. */
export const weekdayShop = () =>
  businessFile.parse({
    name: 'Test Shop',
    timezone: 'Europe/London',
    hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, ['09:00-17:00']])),
  });

export const weekdayCalendar = () => createCalendar(weekdayShop());
