// The API's route table: method and path pattern to handler, under `/v1.NN/...` and
// unversioned. `:name` matches one path segment; `:name*` matches the rest of the path
// (image names contain slashes: /images/localhost:5000/app/json).
import { InvalidArgument, NotFound } from '../../errors.js';
import { apiVersion, compareApiVersions, minApiVersion } from '../../api/version.js';
import type { RequestContext } from './request-context.js';

export type RouteHandler = (ctx: RequestContext) => Promise<void> | void;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

export interface MatchedRoute {
  handler: RouteHandler;
  params: Record<string, string>;
  apiVersion: string;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, path: string, handler: RouteHandler): this {
    const names: string[] = [];
    const source = path.split('/').map((segment) => {
      const param = /^:(\w+)(\*)?$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1]!);
      return param[2] ? '(.+)' : '([^/]+)';
    }).join('/');
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  get(path: string, handler: RouteHandler): this { return this.add('GET', path, handler); }
  post(path: string, handler: RouteHandler): this { return this.add('POST', path, handler); }
  delete(path: string, handler: RouteHandler): this { return this.add('DELETE', path, handler); }
  head(path: string, handler: RouteHandler): this { return this.add('HEAD', path, handler); }

  /** Finds the route for a request path (without its query); throws NotFound or a version error. */
  match(method: string, rawPath: string): MatchedRoute {
    let path = rawPath;
    let version = apiVersion;
    const versioned = /^\/v([0-9]+\.[0-9]+)(\/.*)$/.exec(path);
    if (versioned) {
      version = versioned[1]!;
      path = versioned[2]!;
      if (compareApiVersions(version, apiVersion) > 0) {
        throw new InvalidArgument(`client version ${version} is too new. Maximum supported API version is ${apiVersion}`);
      }
      if (compareApiVersions(version, minApiVersion) < 0) {
        throw new InvalidArgument(`client version ${version} is too old. Minimum supported API version is ${minApiVersion}, please upgrade your client to a newer version`);
      }
    }
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      return { handler: route.handler, params, apiVersion: version };
    }
    throw new NotFound(pathMatched ? `method ${method} not allowed for ${path}` : `page not found`);
  }
}
