/** What the peer bots share: their settings from the environment and the one reply they give. */
export const REPLY = 'A sourdough loaf is £4.50.';

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}
