import { buildResponse } from '../../domain/sip/build-response.js';
import type { SipRequest, SipResponse } from '../../domain/sip/message.js';
import { allowedMethods, supportedTags, UA_ACCEPT, type UaConfig } from './ua-context.js';

/** 200 to OPTIONS with what this UA can do (§11.2). */
export const optionsResponse = (request: SipRequest, config: UaConfig): SipResponse =>
  buildResponse(request, 200, {
    headers: [
      { name: 'Allow', value: allowedMethods(config).join(', ') },
      { name: 'Accept', value: UA_ACCEPT.join(', ') },
      { name: 'Supported', value: supportedTags(config).join(', ') },
    ],
  });
