package io.cifarstream.cli;

import io.cifarstream.replay.CifarSplitSource;
import io.cifarstream.replay.FolderSource;
import io.cifarstream.replay.ImageSource;
import io.cifarstream.replay.Replay;
import io.cifarstream.replay.ReplayPlan;
import io.cifarstream.replay.ShiftedCifarSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.cifarstream.console.ProgressBar;
import io.cifarstream.dataset.Cifar10;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.dataset.CorruptedImages;
import io.cifarstream.dataset.ImageFolder;
import io.cifarstream.dataset.Shift;
import io.cifarstream.schemas.TopicNames;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code cifar-stream replay}: publishes a CIFAR-10 split, or a folder of pictures, as image events. */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Publish a CIFAR-10 split or a folder of pictures as image events (labels inline or late)", "",
            "Keys are stable image ids (test-00042 = record 42 of test_batch.bin), so every prediction traces back "
                + "to its image. The producer is idempotent."})
public final class ReplayCommand implements Callable<Integer>, FlagRules {

    @Mixin
    KafkaFlags kafka;

    @Mixin
    DataFlag data;

    @OneOf({"test", "train"})
    @Option(names = "--split", defaultValue = "test", paramLabel = "test|train",
            description = "Which CIFAR-10 split (default: ${DEFAULT-VALUE}).")
    String split;

    @PathRule(PathRule.Kind.EXISTING_FOLDER)
    @Option(names = "--images", paramLabel = "DIR", description = "Publish the PNG/JPEG files under DIR instead "
            + "(class sub-folders give labels, like torchvision's ImageFolder).")
    Path images;

    @Range(min = 1)
    @Option(names = "--limit", paramLabel = "N", description = "Publish the first N images (after shuffling).")
    Integer limit;

    @Range(min = 0, minExcluded = true)
    @Option(names = "--rate", paramLabel = "N", description = "Images per second (default: as fast as possible).")
    Double rate;

    @Option(names = "--shuffle", description = "Publish in a random order (see --seed).")
    boolean shuffle;

    @Range
    @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
            description = "Seed of --shuffle, --label-fraction and the noise of --corruption "
                    + "(default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    ShiftFlags shiftFlags;

    @Range(min = 0)
    @Option(names = "--shift-after", paramLabel = "N", description = "Publish the first N images clean and "
            + "--corruption only after them, so the shift comes mid-stream (default: 0, all corrupted).")
    Integer shiftAfter;

    @Range(min = 0)
    @Option(names = "--label-delay", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Send labels on the labels topic this long after their image (e.g. 30s) instead of "
                    + "inside the event: ground truth that arrives late.")
    Duration labelDelay;

    @Range(min = 0, max = 1)
    @Option(names = "--label-fraction", defaultValue = "1.0", paramLabel = "F",
            description = "Publish labels for this share of the images only (default: ${DEFAULT-VALUE}).")
    double labelFraction;

    @Matches(regex = Matches.TOPIC, describe = Matches.TOPIC_WORDS)
    @Option(names = "--images-topic", defaultValue = "images", paramLabel = "TOPIC",
            description = "Default: ${DEFAULT-VALUE}.")
    String imagesTopic;

    @Matches(regex = Matches.TOPIC, describe = Matches.TOPIC_WORDS)
    @Option(names = "--labels-topic", defaultValue = "labels", paramLabel = "TOPIC",
            description = "Default: ${DEFAULT-VALUE}.")
    String labelsTopic;

    @Range(min = 1, max = 10_000)
    @Option(names = "--partitions", defaultValue = "4", paramLabel = "N",
            description = "Partitions of the topics when this creates them (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Mixin
    ReplicationFlag replication;

    @Override
    public Integer call() throws IOException, InterruptedException {
        ImageSource source = source();
        ReplayPlan plan = plan();
        TopicNames topics = TopicNames.defaults().withImages(imagesTopic).withLabels(labelsTopic);
        long total = Math.min(source.size(), plan.limit().orElse(source.size()));
        Replay.Summary summary;
        try (ProgressBar bar = ProgressBar.start("replay", total, "img")) {
            summary = new Replay(kafka.settings(), topics, partitions, replication.value()).run(source, plan, bar::stepBy);
        }
        System.out.printf(Locale.ROOT, "Published %d images from %s to '%s' in %.1f s (%.0f images/s); labels: %d "
                + "inline, %d on '%s'%n", summary.images(), source.description(), topics.images(),
                summary.elapsed().toMillis() / 1000.0, summary.imagesPerSecond(), summary.inlineLabels(),
                summary.lateLabels(), topics.labels());
        return 0;
    }

    @Override
    public void checkFlags(CommandLine commandLine) {
        if (images != null && commandLine.getParseResult().hasMatchedOption("--split")) {
            throw new ParameterException(commandLine, "--images publishes a folder of pictures, --split a CIFAR-10 split:"
                    + " give one of them");
        }
        if (images != null && commandLine.getParseResult().hasMatchedOption("--data")) {
            throw new ParameterException(commandLine, "--images publishes a folder of pictures and reads no CIFAR-10:"
                    + " drop --data");
        }
        shiftFlags.check(commandLine);
        if (images != null && shiftFlags.shift().isPresent()) {
            throw new ParameterException(commandLine, "--corruption applies to CIFAR-10 pixels; --images publishes "
                    + "the picture files as they are: give one of them");
        }
        if (shiftAfter != null && shiftFlags.shift().isEmpty()) {
            throw new ParameterException(commandLine, "--shift-after says when --corruption starts: give "
                    + "--corruption NAME too");
        }
    }

    private ImageSource source() throws IOException {
        if (images != null) {
            return new FolderSource(ImageFolder.scan(images));
        }
        Cifar10 cifar = data.open();
        CifarImages chosen = switch (split) {
            case "test" -> cifar.test();
            case "train" -> cifar.train();
            default -> throw new IllegalStateException("--split is declared one of test, train");
        };
        Optional<Shift> shift = shiftFlags.shift();
        if (shift.isEmpty()) {
            return new CifarSplitSource(chosen);
        }
        return ShiftedCifarSource.after(new CorruptedImages(chosen, shift.get(), seed), plan(),
                shiftAfter == null ? 0 : shiftAfter);
    }

    private ReplayPlan plan() {
        return new ReplayPlan(Optional.ofNullable(limit), Optional.ofNullable(rate),
                shuffle ? Optional.of(seed) : Optional.empty(), Optional.ofNullable(labelDelay), labelFraction, seed);
    }
}
