// A registry's error responses (distribution spec: {"errors": [{code, message, detail}]})
// turned into berth errors with the message a docker user would recognise.
import { BerthError, FailedPrecondition, InvalidArgument, NotFound, Unsupported } from '../../errors.js';

export class RegistryUnavailable extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Unavailable', message, options);
  }
}

interface RegistryErrorBody {
  errors?: { code?: string; message?: string; detail?: unknown }[];
}

/** `what` says what was asked, e.g. "manifest for localhost:5000/app:1.0". */
export async function registryError(response: Response, what: string): Promise<BerthError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    /* no body */
  }
  let codes = '';
  try {
    const body = JSON.parse(text) as RegistryErrorBody;
    codes = (body.errors ?? []).map((e) => [e.code?.toLowerCase().replace(/_/g, ' '), e.message].filter(Boolean).join(': ')).join('; ');
  } catch {
    codes = text.trim().slice(0, 200);
  }
  const detail = codes ? `: ${codes}` : '';
  switch (response.status) {
    case 404:
      return new NotFound(`${what} not found${detail}`);
    case 401:
    case 403:
      return new FailedPrecondition(`${what}: access denied (status ${response.status})${detail}; the repository may not exist, or may need credentials (docker login)`);
    case 400:
      return new InvalidArgument(`${what}: the registry refused the request${detail}`);
    case 405:
      return new Unsupported(`${what}: the registry does not allow this operation${detail}`);
    case 429:
      return new RegistryUnavailable(`${what}: the registry's rate limit was reached${detail}`);
    default:
      return new RegistryUnavailable(`${what}: the registry answered ${response.status} ${response.statusText}${detail}`);
  }
}
