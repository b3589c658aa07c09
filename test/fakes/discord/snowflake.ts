/** Discord's epoch (2015-01-01), the zero of every snowflake's timestamp. */
const DISCORD_EPOCH = 1_420_070_400_000n;

let counter = 0n;

/** A new snowflake id for `ms`: discord.js reads message times out of ids, so they must be real ones. */
export function snowflake(ms = Date.now()): string {
  counter = (counter + 1n) % 4096n;
  return (((BigInt(ms) - DISCORD_EPOCH) << 22n) | counter).toString();
}
