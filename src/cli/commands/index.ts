import type { Command } from './command.js';
import { datasetUpload } from './dataset-upload.js';
import { modelsExport } from './models-export.js';
import { modelsPredict } from './models-predict.js';
import { searchCreate } from './search-create.js';
import { searchImportance } from './search-importance.js';
import { searchList } from './search-list.js';
import { searchShow } from './search-show.js';
import { trialCancel } from './trial-cancel.js';
import { trials } from './trials.js';

export const COMMANDS: Command[] = [searchCreate, searchList, searchShow, searchImportance, trials, trialCancel, modelsPredict, modelsExport, datasetUpload];
