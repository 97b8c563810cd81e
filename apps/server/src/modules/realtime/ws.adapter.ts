import { WsAdapter } from '@nestjs/platform-ws';

export class BellhopWsAdapter extends WsAdapter {}
