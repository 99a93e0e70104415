import { IsInt, IsString, Max, Min } from 'class-validator';
import { CommonConfig, portSetting } from '@smp/config';

export class ProjectorConfig extends CommonConfig {
  /** Health (and metrics) port of the projector. */
  @portSetting()
  PROJECTOR_PORT: number = 3002;

  @IsString()
  PROJECTOR_GROUP_ID: string = 'smp-projector';

  /** Attempts at a failing batch before its events are tried one by one and poison ones dead-lettered. */
  @IsInt()
  @Min(1)
  @Max(20)
  PROJECTOR_MAX_ATTEMPTS: number = 3;

  /**
   * How long the group waits for a silent member before handing its partitions
   * to the others: a killed instance holds its partitions this long.
   */
  @IsInt()
  @Min(6_000)
  @Max(300_000)
  PROJECTOR_SESSION_TIMEOUT_MS: number = 10_000;

  /**
   * Partitions whose batches kafkajs hands over at once. A batch is validated and joins the next group
   * transaction at once (reading goes on meanwhile, see PROJECTOR_MAX_UNAPPLIED_BATCHES); batches of one
   * partition take turns in Postgres, those of different partitions share transactions.
   */
  @IsInt()
  @Min(1)
  @Max(64)
  PROJECTOR_CONCURRENT_PARTITIONS: number = 3;

  /**
   * Batches read from Kafka and not yet applied, at most: Kafka is read (and decoded) while Postgres
   * writes the batches before, and past this many reading waits. Bounds the memory batches hold.
   */
  @IsInt()
  @Min(1)
  @Max(256)
  PROJECTOR_MAX_UNAPPLIED_BATCHES: number = 12;

  /** Upper bound of one fetch per partition (kafkajs maxBytesPerPartition): the size of a batch, roughly. */
  @IsInt()
  @Min(65_536)
  @Max(16_777_216)
  PROJECTOR_MAX_BYTES_PER_PARTITION: number = 524_288;

  /**
   * Upper bound of one fetch response over all partitions (kafkajs maxBytes): bounds the memory of one fetch.
   * (A batch holds at least one whole record batch as the producer wrote it, whatever the bounds.) One batch's
   * worth: while reading waits for room, the rest of a fetch waits decoded inside kafkajs, and V8 copies what
   * waits into its old generation (2 MB: 25.6-26.4 µs of the projector's CPU an event in the benchmark;
   * 512 KB: 21.1-24.2 µs).
   */
  @IsInt()
  @Min(65_536)
  @Max(52_428_800)
  PROJECTOR_MAX_BYTES: number = 524_288;

  /** How often the pigment × category signals are re-evaluated (and raised or cleared on smp.signals.v1). */
  @IsInt()
  @Min(200)
  @Max(3_600_000)
  SIGNAL_EVALUATION_MS: number = 5_000;
}
