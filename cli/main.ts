// Coverage Atlas command line: the same operations as the app, for batch runs and scripts.
import { InputError } from '../gis';
import { analyzeFiles } from './analyze';
import { analyzeWorkspace, demoCommand, importCommand, layersCommand } from './workspace-commands';
import { ImportFailed, UsageError } from './args';
import { loadCampaign } from './campaign';
import { ledgerCommand } from './ledger';
import { planCommand } from './plan';
import { mapCommand, reportCommand, REPORT_USAGE, snapshotCommand } from './report';

const USAGE = `覆盖图谱 Coverage Atlas — command line

  analyze --settlements FILE --mobile FILE [--mobile FILE ...] --broadband FILE [--broadband FILE ...]
          [--min-households 25] [--target-mobile 0.95] [--target-broadband 0.75] [--mobile-tech 4G,5G]
          [--format table|json|csv] [--out FILE]
  analyze WORKSPACE.gpkg [the same output options]
  demo WORKSPACE.gpkg [--settlements N] [--seed N]       write the demo workspace (演示数据)
  import WORKSPACE.gpkg --role settlements|mobile|broadband|sites|boundaries|listed FILE
          [--crs wgs84|cgcs2000|gcj02|bd09|auto|EPSG:n] [--map households=户数 ...] [--sheet NAME]
          [--encoding gbk|utf8] [--name NAME]
  layers WORKSPACE.gpkg [--format json]                  list layers, roles, counts
  plan WORKSPACE.gpkg (--county NAME | --village NAME) [--towers K | --budget YUAN] [--candidates FILE]
          [--format table|json|geojson]                  builds that reach the targets, cheapest first
  ledger WORKSPACE.gpkg list|add|update|close|history ...  the rectification ledger (整改台账, 销号管理)
${REPORT_USAGE}

Exit status: 0 success, 2 bad input or usage (the message names the file, feature, field and what was expected),
1 anything else.`;

type Command = (argv: string[]) => void | Promise<void>;

const commands: Record<string, Command> = {
  analyze: (argv) => {
    const campaign = loadCampaign();
    // A workspace as the first argument analyses its layers; otherwise the layers come from --settlements etc.
    if (argv[0] && !argv[0].startsWith('--')) return analyzeWorkspace(argv, campaign.focusOrder);
    analyzeFiles(argv, campaign, campaign.focusOrder);
  },
  demo: demoCommand,
  import: importCommand,
  layers: layersCommand,
  plan: planCommand,
  ledger: ledgerCommand,
  snapshot: snapshotCommand,
  report: reportCommand,
  map: mapCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  try {
    await command(rest);
    return 0;
  } catch (e) {
    if (e instanceof ImportFailed) return 2;
    if (e instanceof InputError) {
      process.stderr.write(`输入有误 (bad input):\n${e.message}\n`);
      return 2;
    }
    if (e instanceof UsageError || e instanceof RangeError) {
      process.stderr.write(`${name}: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`${name} failed: ${(e as Error).message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
