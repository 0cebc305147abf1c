/** Console output of the local host, one line per entry, filtered by CAFE_LOG_LEVEL. */
const LEVELS = ['trace', 'debug', 'information', 'warning', 'error', 'critical', 'none'] as const;
type Level = (typeof LEVELS)[number];

const ALIASES: Record<string, Level> = { info: 'information', warn: 'warning', log: 'information' };

function normalise(level: string): Level {
  const lower = level.toLowerCase();
  return (LEVELS as readonly string[]).includes(lower) ? (lower as Level) : (ALIASES[lower] ?? 'information');
}

export class Logger {
  private readonly threshold: number;

  constructor(level = 'information', private readonly out: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {
    this.threshold = LEVELS.indexOf(normalise(level));
  }

  write(level: string, source: string, message: string): void {
    const normalised = normalise(level);
    if (LEVELS.indexOf(normalised) < this.threshold) return;
    const time = new Date().toISOString().slice(11, 23);
    const tag = normalised === 'information' ? '' : ` ${normalised.toUpperCase()}`;
    this.out(`[${time}]${tag} ${source}: ${message}`);
  }

  info(source: string, message: string): void {
    this.write('information', source, message);
  }

  warn(source: string, message: string): void {
    this.write('warning', source, message);
  }

  error(source: string, message: string): void {
    this.write('error', source, message);
  }
}
