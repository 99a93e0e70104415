import { CommonConfig, portSetting } from '@smp/config';

export class InsightsConfig extends CommonConfig {
  @portSetting()
  INSIGHTS_PORT: number = 3001;
}
