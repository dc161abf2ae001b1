import { OAuthFormPipe } from './oauth-form.pipe';
import { DeviceAuthorizationRequest } from './dto/device-authorization.request';

describe('OAuthFormPipe', () => {
  const pipe = new OAuthFormPipe(DeviceAuthorizationRequest);

  it('ignores unknown parameters and treats an empty one as absent (RFC 6749 §3.1)', () => {
    expect({ ...pipe.transform({ client_id: 'my-cli', scope: 'openid', device_name: '' }) }).toEqual({ client_id: 'my-cli' });
    expect({ ...pipe.transform({ client_id: 'my-cli', device_name: 'TV' }) }).toEqual({ client_id: 'my-cli', device_name: 'TV' });
  });

  it.each([
    ['a missing parameter', {}],
    ['a repeated parameter', { client_id: ['a', 'b'] }],
    ['a malformed parameter', { client_id: 'a b' }],
    ['no body at all', undefined],
  ])('refuses %s with invalid_request', (_label, body) => {
    expect(() => pipe.transform(body)).toThrow(expect.objectContaining({ error: 'invalid_request', status: 400 }));
  });
});
