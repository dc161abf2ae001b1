export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/** Authorization server metadata (RFC 8414 §2), as `/.well-known/oauth-authorization-server` answers it. */
export interface OAuthServerMetadata {
  issuer: string;
  device_authorization_endpoint: string;
  token_endpoint: string;
  grant_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  response_types_supported: string[];
  service_documentation: string;
}

/**
 * This service authorizes only the device grant, for public clients (no client authentication): there is no
 * authorization endpoint, so no response type either (RFC 8414 requires the list; it is empty).
 */
export function oauthServerMetadata(publicUrl: string): OAuthServerMetadata {
  return {
    issuer: publicUrl,
    device_authorization_endpoint: `${publicUrl}/oauth/device_authorization`,
    token_endpoint: `${publicUrl}/oauth/token`,
    grant_types_supported: [DEVICE_CODE_GRANT_TYPE],
    token_endpoint_auth_methods_supported: ['none'],
    response_types_supported: [],
    service_documentation: `${publicUrl}/api/docs`,
  };
}
