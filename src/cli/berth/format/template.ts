// A subset of Go's text/template, enough for docker's --format: fields (`{{.State.Pid}}`),
// `$` and range variables, literals, pipelines (`{{.Names | upper}}`), function calls
// (`{{json .}}`, `{{index .Labels "k"}}`, `{{join .Args ","}}`), `if`/`else`/`with`/`range`/
// `end`, trim markers (`{{-`, `-}}`), and values printed as Go prints them ("map[a:b]",
// "[x y]", "<no value>"); a field that is not there is an error, as in docker. Methods of docker's format contexts that take arguments
// (`{{.Label "com.example"}}`) are functions on the data object.
export class TemplateError extends Error {
  constructor(message: string) {
    super(`template: ${message}`);
    this.name = 'TemplateError';
  }
}

type Operand =
  | { kind: 'field'; base: 'dot' | 'var'; variable: string; path: string[] }
  | { kind: 'literal'; value: unknown }
  | { kind: 'ident'; name: string }
  | { kind: 'pipe'; pipe: Pipe };

type Command = Operand[];

interface Pipe {
  declare: string[];
  commands: Command[];
}

type Node =
  | { type: 'text'; text: string }
  | { type: 'action'; pipe: Pipe }
  | { type: 'if' | 'with' | 'range'; pipe: Pipe; body: Node[]; otherwise: Node[] };

export type TemplateFunction = (...args: any[]) => unknown;

export const templateFunctions: Record<string, TemplateFunction> = {
  json: (v: unknown) => (v === undefined ? 'null' : JSON.stringify(v)),
  index: (v: any, ...keys: unknown[]) => keys.reduce((acc: any, key) => (acc == null ? undefined : acc[key as string]), v),
  join: (list: unknown, sep: string) => (Array.isArray(list) ? list.map(printValue).join(sep) : printValue(list)),
  split: (text: string, sep: string) => String(text).split(sep),
  upper: (text: unknown) => printValue(text).toUpperCase(),
  lower: (text: unknown) => printValue(text).toLowerCase(),
  title: (text: unknown) => printValue(text).replace(/\b\w/g, (c) => c.toUpperCase()),
  pad: (text: unknown, before: number, after: number) => ' '.repeat(before) + printValue(text) + ' '.repeat(after),
  truncate: (text: unknown, n: number) => [...printValue(text)].slice(0, n).join(''),
  len: (v: any) => (v == null ? 0 : Array.isArray(v) || typeof v === 'string' ? v.length : Object.keys(v).length),
  print: (...args: unknown[]) => args.map(printValue).join(' '),
  println: (...args: unknown[]) => args.map(printValue).join(' ') + '\n',
  printf: (format: string, ...args: unknown[]) => sprintf(format, args),
  eq: (a: unknown, ...bs: unknown[]) => bs.some((b) => a === b),
  ne: (a: unknown, b: unknown) => a !== b,
  lt: (a: any, b: any) => a < b,
  le: (a: any, b: any) => a <= b,
  gt: (a: any, b: any) => a > b,
  ge: (a: any, b: any) => a >= b,
  not: (v: unknown) => !truthy(v),
  and: (...args: unknown[]) => args.find((a) => !truthy(a)) ?? args[args.length - 1],
  or: (...args: unknown[]) => args.find((a) => truthy(a)) ?? args[args.length - 1],
};

/** Go's fmt %v of a value decoded from JSON. */
export function printValue(value: unknown): string {
  if (value === undefined) return '<no value>';
  if (value === null) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[${value.map(printValue).join(' ')}]`;
  if (typeof value === 'function') return printValue(value());
  const entries = Object.keys(value as object).sort().map((k) => `${k}:${printValue((value as Record<string, unknown>)[k])}`);
  return `map[${entries.join(' ')}]`;
}

function sprintf(format: string, args: unknown[]): string {
  let i = 0;
  return format.replace(/%([-+ 0#]*\d*(?:\.\d+)?)([svdqtfx%])/g, (_, flags: string, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[i++];
    let text = verb === 'q' ? JSON.stringify(printValue(arg)) : verb === 'x' ? Number(arg).toString(16) : printValue(arg);
    const width = /(\d+)$/.exec(flags.split('.')[0] ?? '')?.[1];
    if (width) text = flags.includes('-') ? text.padEnd(Number(width)) : text.padStart(Number(width));
    return text;
  });
}

function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value as object).length > 0;
  return true;
}

// ---- parsing ----

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < source.length && source[j] !== '"') j += source[j] === '\\' ? 2 : 1;
      if (j >= source.length) throw new TemplateError(`unterminated quoted string in "${source}"`);
      tokens.push(source.slice(i, j + 1));
      i = j + 1;
    } else if (c === '`') {
      const j = source.indexOf('`', i + 1);
      if (j < 0) throw new TemplateError(`unterminated raw string in "${source}"`);
      tokens.push(source.slice(i, j + 1));
      i = j + 1;
    } else if (c === '|' || c === '(' || c === ')' || c === ',') {
      tokens.push(c);
      i++;
    } else if (source.startsWith(':=', i)) {
      tokens.push(':=');
      i += 2;
    } else if (c === '=') {
      tokens.push('=');
      i++;
    } else {
      const match = /^[^\s|(),"`]+/.exec(source.slice(i))!;
      let word = match[0];
      const assign = word.indexOf(':=');
      if (assign > 0) word = word.slice(0, assign);
      tokens.push(word);
      i += word.length;
    }
  }
  return tokens;
}

class PipeParser {
  private pos = 0;
  constructor(private readonly tokens: string[], private readonly source: string) {}

  parse(): Pipe {
    const pipe = this.pipe();
    if (this.pos < this.tokens.length) throw new TemplateError(`unexpected "${this.tokens[this.pos]}" in "${this.source}"`);
    return pipe;
  }

  private pipe(): Pipe {
    const declare: string[] = [];
    // `$v :=` or `$k, $v :=`
    const assignAt = this.tokens.indexOf(':=', this.pos);
    if (assignAt > this.pos && this.tokens.slice(this.pos, assignAt).every((t) => t === ',' || t.startsWith('$'))) {
      declare.push(...this.tokens.slice(this.pos, assignAt).filter((t) => t !== ','));
      this.pos = assignAt + 1;
    }
    const commands: Command[] = [];
    let command: Command = [];
    while (this.pos < this.tokens.length) {
      const token = this.tokens[this.pos]!;
      if (token === ')') break;
      this.pos++;
      if (token === '|') {
        if (!command.length) throw new TemplateError(`missing command before "|" in "${this.source}"`);
        commands.push(command);
        command = [];
        continue;
      }
      if (token === '(') {
        const inner = this.pipe();
        if (this.tokens[this.pos] !== ')') throw new TemplateError(`unclosed "(" in "${this.source}"`);
        this.pos++;
        command.push({ kind: 'pipe', pipe: inner });
        continue;
      }
      command.push(operand(token, this.source));
    }
    if (command.length) commands.push(command);
    if (!commands.length) throw new TemplateError(`missing value in "${this.source}"`);
    return { declare, commands };
  }
}

function operand(token: string, source: string): Operand {
  if (token.startsWith('"')) return { kind: 'literal', value: JSON.parse(token) };
  if (token.startsWith('`')) return { kind: 'literal', value: token.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(token)) return { kind: 'literal', value: Number(token) };
  if (token === 'true' || token === 'false') return { kind: 'literal', value: token === 'true' };
  if (token === 'nil') return { kind: 'literal', value: null };
  if (token.startsWith('.')) return { kind: 'field', base: 'dot', variable: '', path: token === '.' ? [] : token.slice(1).split('.') };
  if (token.startsWith('$')) {
    const [variable, ...path] = token.split('.');
    return { kind: 'field', base: 'var', variable: variable!, path };
  }
  if (/^[A-Za-z_]\w*$/.test(token)) return { kind: 'ident', name: token };
  throw new TemplateError(`unexpected "${token}" in "${source}"`);
}

interface Frame {
  nodes: Node[];
  block?: Extract<Node, { body: Node[] }>;
  inElse?: boolean;
  /** An `else if` opened a nested if that the same `end` closes. */
  chained?: boolean;
}

export class Template {
  private readonly root: Node[];

  constructor(readonly source: string) {
    this.root = parseTemplate(source);
  }

  execute(data: unknown, options: { functions?: Record<string, TemplateFunction> } = {}): string {
    const functions = { ...templateFunctions, ...options.functions };
    const out: string[] = [];
    run(this.root, data, new Map([['$', data]]), functions, out);
    return out.join('');
  }
}

function parseTemplate(source: string): Node[] {
  const stack: Frame[] = [{ nodes: [] }];
  const current = () => stack[stack.length - 1]!;
  const re = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;
  let last = 0;
  let trimNext = false;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    let text = source.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[1]) text = text.replace(/\s+$/, '');
    if (text) current().nodes.push({ type: 'text', text });
    last = re.lastIndex;
    trimNext = Boolean(m[3]);
    const body = m[2]!.trim();
    if (body.startsWith('/*')) continue;
    const keyword = /^(if|with|range|else|end)\b\s*([\s\S]*)$/.exec(body);
    if (!keyword) {
      current().nodes.push({ type: 'action', pipe: new PipeParser(tokenize(body), body).parse() });
      continue;
    }
    const [, word, rest] = keyword as unknown as [string, string, string];
    if (word === 'end') {
      let frame = stack.pop();
      while (frame?.chained) frame = stack.pop();
      if (!frame?.block || stack.length === 0) throw new TemplateError(`unexpected {{end}} in "${source}"`);
      continue;
    }
    if (word === 'else') {
      const frame = current();
      if (!frame.block || frame.inElse) throw new TemplateError(`unexpected {{else}} in "${source}"`);
      frame.inElse = true;
      frame.nodes = frame.block.otherwise;
      const chained = /^(if|with)\b\s*([\s\S]*)$/.exec(rest);
      if (chained) {
        const block = { type: chained[1] as 'if' | 'with', pipe: new PipeParser(tokenize(chained[2]!), body).parse(), body: [], otherwise: [] };
        frame.nodes.push(block);
        stack.push({ nodes: block.body, block, chained: true });
      }
      continue;
    }
    if (!rest) throw new TemplateError(`missing value for ${word} in "${source}"`);
    const block = { type: word as 'if' | 'with' | 'range', pipe: new PipeParser(tokenize(rest), body).parse(), body: [] as Node[], otherwise: [] as Node[] };
    current().nodes.push(block);
    stack.push({ nodes: block.body, block });
  }
  let tail = source.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, '');
  if (tail) current().nodes.push({ type: 'text', text: tail });
  if (stack.length !== 1) throw new TemplateError(`unexpected EOF in "${source}": missing {{end}}`);
  return stack[0]!.nodes;
}

// ---- execution ----

type Vars = Map<string, unknown>;

function run(nodes: Node[], dot: unknown, vars: Vars, functions: Record<string, TemplateFunction>, out: string[]): void {
  for (const node of nodes) {
    if (node.type === 'text') {
      out.push(node.text);
    } else if (node.type === 'action') {
      const value = evalPipe(node.pipe, dot, vars, functions);
      if (!node.pipe.declare.length) out.push(printValue(value));
    } else if (node.type === 'if') {
      run(truthy(evalPipe(node.pipe, dot, vars, functions)) ? node.body : node.otherwise, dot, vars, functions, out);
    } else if (node.type === 'with') {
      const value = evalPipe(node.pipe, dot, vars, functions);
      if (truthy(value)) run(node.body, value, vars, functions, out);
      else run(node.otherwise, dot, vars, functions, out);
    } else {
      const value = evalPipe({ declare: [], commands: node.pipe.commands }, dot, vars, functions);
      const entries: [unknown, unknown][] = Array.isArray(value)
        ? value.map((v, i) => [i, v])
        : value && typeof value === 'object'
          ? Object.keys(value).sort().map((k) => [k, (value as Record<string, unknown>)[k]])
          : typeof value === 'number'
            ? Array.from({ length: value }, (_, i) => [i, i])
            : [];
      if (!entries.length) {
        run(node.otherwise, dot, vars, functions, out);
        continue;
      }
      for (const [key, element] of entries) {
        const scope = new Map(vars);
        const names = node.pipe.declare;
        if (names.length === 1) scope.set(names[0]!, element);
        if (names.length === 2) {
          scope.set(names[0]!, key);
          scope.set(names[1]!, element);
        }
        run(node.body, element, scope, functions, out);
      }
    }
  }
}

function evalPipe(pipe: Pipe, dot: unknown, vars: Vars, functions: Record<string, TemplateFunction>): unknown {
  let value: unknown;
  let piped = false;
  for (const command of pipe.commands) {
    value = evalCommand(command, dot, vars, functions, piped ? [value] : []);
    piped = true;
  }
  for (const name of pipe.declare) vars.set(name, value);
  return value;
}

function evalCommand(command: Command, dot: unknown, vars: Vars, functions: Record<string, TemplateFunction>, piped: unknown[]): unknown {
  const [head, ...rest] = command as [Operand, ...Operand[]];
  const args = () => [...rest.map((o) => evalOperand(o, dot, vars, functions, false)), ...piped];
  if (head.kind === 'ident') {
    const fn = functions[head.name];
    if (!fn) throw new TemplateError(`function "${head.name}" not defined`);
    return fn(...args());
  }
  if (head.kind === 'field' && (rest.length || piped.length)) {
    const target = resolveField(head, dot, vars, true);
    if (typeof target !== 'function') throw new TemplateError(`can't give argument to non-function ${fieldName(head)}`);
    return target(...args());
  }
  if (rest.length || piped.length) throw new TemplateError(`can't give argument to non-function`);
  return evalOperand(head, dot, vars, functions, true);
}

function evalOperand(o: Operand, dot: unknown, vars: Vars, functions: Record<string, TemplateFunction>, final: boolean): unknown {
  void final;
  switch (o.kind) {
    case 'literal': return o.value;
    case 'pipe': return evalPipe(o.pipe, dot, vars, functions);
    case 'ident': {
      const fn = functions[o.name];
      if (!fn) throw new TemplateError(`function "${o.name}" not defined`);
      return fn();
    }
    case 'field': return resolveField(o, dot, vars, false);
  }
}

function fieldName(o: Extract<Operand, { kind: 'field' }>): string {
  return (o.base === 'var' ? o.variable : '') + o.path.map((p) => `.${p}`).join('');
}

function resolveField(o: Extract<Operand, { kind: 'field' }>, dot: unknown, vars: Vars, keepLastFunction: boolean): unknown {
  let value: unknown;
  if (o.base === 'var') {
    if (!vars.has(o.variable)) throw new TemplateError(`undefined variable "${o.variable}"`);
    value = vars.get(o.variable);
  } else {
    value = dot;
  }
  o.path.forEach((name, i) => {
    if (value === null || value === undefined) {
      value = undefined;
      return;
    }
    if (typeof value !== 'object') throw new TemplateError(`can't evaluate field ${name} in type ${typeof value}`);
    // As docker's templates (typed structs, or maps with missingkey=error): a name that is not
    // there is an error, not "<no value>". `index` is the way to ask for a key that may be absent.
    if (!(name in (value as object))) {
      throw new TemplateError(`executing "" at <${fieldName(o)}>: map has no entry for key "${name}"`);
    }
    const next = (value as Record<string, unknown>)[name];
    const last = i === o.path.length - 1;
    value = typeof next === 'function' && !(last && keepLastFunction) ? (next as () => unknown)() : next;
  });
  return value;
}

/** Every function returns its first argument: used to render table headers. */
export function headerFunctions(): Record<string, TemplateFunction> {
  return Object.fromEntries(Object.keys(templateFunctions).map((name) => [name, (v: unknown) => v]));
}
