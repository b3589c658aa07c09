/** What a date answer implies, kept beside it as `{var.suffix}`: the engine sets these and `check` knows them. */
export const DATE_FACTS = [
  ['date', 'text'],
  ['daysAway', 'number'],
  ['businessDaysAway', 'number'],
  ['open', 'boolean'],
] as const;
