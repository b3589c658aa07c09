import type { AdapterDefinition } from '../../src/channel/index.ts';
import {
  type FacebookSettings,
  facebookSettings,
  fromFacebook,
  fromInstagram,
  type InstagramSettings,
  instagramSettings,
} from './settings.ts';

/** A Facebook Page: Messenger conversations (private) and comments on the Page's posts (public). */
export const facebookDefinition: AdapterDefinition<FacebookSettings> = {
  channel: 'facebook',
  settings: facebookSettings,
  create: async (settings, deps) => {
    const { createMetaAdapter } = await import('./adapter.ts');
    return createMetaAdapter('facebook', fromFacebook(settings), deps);
  },
};

/** An Instagram professional account: DMs (private) and comments on its media (public). */
export const instagramDefinition: AdapterDefinition<InstagramSettings> = {
  channel: 'instagram',
  settings: instagramSettings,
  create: async (settings, deps) => {
    const { createMetaAdapter } = await import('./adapter.ts');
    return createMetaAdapter('instagram', fromInstagram(settings), deps);
  },
};
