package io.cifarstream.replay;

import java.util.OptionalInt;

import io.cifarstream.schemas.ImageEvent;

/** Images a replay can publish: a CIFAR-10 split or a folder of pictures. */
public interface ImageSource {

    int size();

    /** The stable id of image i, also its Kafka key. */
    String id(int i);

    /** The true class of image i, when the source knows it. */
    OptionalInt label(int i);

    /** Image i as an event (without label: the replay decides where labels go), stamped with {@code eventTime}. */
    ImageEvent event(int i, long eventTime);

    /** For the summary line, e.g. {@code cifar10:test}. */
    String description();
}
