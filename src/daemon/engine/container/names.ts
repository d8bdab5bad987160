// Docker-style generated names ("eager_turing"): an adjective and a notable person of computing,
// so that containers created without --name are still easy to type.
import { randomInt } from 'node:crypto';

const adjectives = [
  'admiring', 'agitated', 'amazing', 'brave', 'busy', 'calm', 'clever', 'cool', 'dazzling', 'eager',
  'elastic', 'epic', 'fervent', 'focused', 'gallant', 'gifted', 'happy', 'hopeful', 'jolly', 'keen',
  'kind', 'lucid', 'magical', 'modest', 'nifty', 'nostalgic', 'optimistic', 'peaceful', 'practical', 'quirky',
  'relaxed', 'serene', 'sharp', 'stoic', 'sweet', 'tender', 'trusting', 'upbeat', 'vibrant', 'zealous',
];
const people = [
  'allen', 'babbage', 'backus', 'bartik', 'borg', 'cerf', 'dijkstra', 'engelbart', 'hamilton', 'hopper',
  'kahn', 'knuth', 'lamport', 'liskov', 'lovelace', 'mccarthy', 'morse', 'noether', 'perlman', 'pike',
  'ritchie', 'shannon', 'sinoussi', 'thompson', 'torvalds', 'turing', 'wilkes', 'wirth', 'wozniak', 'yonath',
];

export function generateName(taken: (name: string) => boolean): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    const name = `${adjectives[randomInt(adjectives.length)]}_${people[randomInt(people.length)]}`;
    const candidate = attempt < 10 ? name : `${name}${randomInt(10)}`;
    if (!taken(candidate)) return candidate;
  }
  return `berth_${randomInt(1e9)}`;
}
