import { ENVIRONMENTS } from './charts/environments';
import { synthEnvironments } from './charts/synth';

// Builds and checks every environment, then writes dist/<env>/ (nothing is written if anything is wrong).
synthEnvironments(ENVIRONMENTS);
