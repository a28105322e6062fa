package io.cifarstream.console;

/**
 * The settings a user changes to fix a {@link UserFixable} failure. Each is one concept of the system, whatever the
 * command: the command line knows the flag that sets it in each command.
 */
public enum Setting {
    /** Where CIFAR-10 is read from (a tar.gz in the official layout, or its folder). */
    DATA,
    /** The model file to run. */
    MODEL,
    /** For a model without cifar-stream metadata: how its input is normalized and what its output holds. */
    MODEL_CONVENTIONS,
    /** A model's reference statistics: the file its calibration and reference distributions are read from. */
    REFERENCE,
    /** Where a model runs: the CPU or a CUDA device. */
    DEVICE,
    /** The Kafka cluster to connect to (its bootstrap servers). */
    KAFKA_SERVERS,
    /** Kafka client properties: security (SASL, TLS) and tuning. */
    KAFKA_CONFIG,
    /** The Kafka topics a command reads and writes. */
    TOPICS,
    /** How many replicas the topics a command creates get. */
    REPLICATION,
    /** The client port of a broker this project starts. */
    BROKER_PORT,
    /** The data directory of a broker this project starts. */
    BROKER_DIR,
    /** The address and port an HTTP server binds. */
    HTTP_ADDRESS,
    /** The bearer token HTTP requests must present. */
    HTTP_TOKEN,
    /** The local state directory of a Kafka Streams application. */
    STATE_DIR,
    /** Where a command writes its results. */
    OUTPUT,
    /** Continuing a training run from its checkpoint. */
    RESUME,
    /** How long a command waits before giving up. */
    TIMEOUT,
    /** The alert rules the metrics stream evaluates. */
    ALERT_RULES,
    /** How a model is quantized to int8: the calibration method and the images it calibrates on. */
    QUANTIZATION
}
