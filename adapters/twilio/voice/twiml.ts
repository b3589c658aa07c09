import twilio from 'twilio';

/** TwiML for calls, built with the twilio library's own VoiceResponse. */

type SayAttributes = Parameters<InstanceType<typeof twilio.twiml.VoiceResponse>['say']>[0];

const sayWith = (language: string | undefined): SayAttributes => (language ? { language } : {}) as SayAttributes;

/** Rings the business phone; Twilio posts the outcome to `actionUrl`. */
export function forwardCall(o: { forwardTo: string; timeoutSeconds: number; actionUrl: string }): string {
  const r = new twilio.twiml.VoiceResponse();
  r.dial({ action: o.actionUrl, method: 'POST', timeout: o.timeoutSeconds }).number(o.forwardTo);
  return r.toString();
}

/** Prompt, beep, record; the recording goes to `recordingUrl`, its transcription to `transcriptionUrl`. */
export function voicemail(o: {
  prompt: string;
  maxLengthSeconds: number;
  recordingUrl: string;
  transcriptionUrl: string | null;
  language?: string | undefined;
}): string {
  const r = new twilio.twiml.VoiceResponse();
  r.say(sayWith(o.language), o.prompt);
  r.record({
    action: o.recordingUrl,
    method: 'POST',
    maxLength: o.maxLengthSeconds,
    playBeep: true,
    ...(o.transcriptionUrl ? { transcribe: true, transcribeCallback: o.transcriptionUrl } : {}),
  });
  // Reached only when nothing was recorded (Twilio then skips the action URL).
  r.hangup();
  return r.toString();
}

export function sayAndHangUp(message: string, language?: string): string {
  const r = new twilio.twiml.VoiceResponse();
  r.say(sayWith(language), message);
  r.hangup();
  return r.toString();
}

export function hangUp(): string {
  const r = new twilio.twiml.VoiceResponse();
  r.hangup();
  return r.toString();
}
