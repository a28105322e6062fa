package io.cifarstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicNamesTest {

    @Test
    void defaultsAreTheDocumentedNames() {
        TopicNames names = TopicNames.defaults();

        assertThat(names.images()).isEqualTo("images");
        assertThat(names.predictions()).isEqualTo("predictions");
        assertThat(names.labels()).isEqualTo("labels");
        assertThat(names.metrics()).isEqualTo("metrics");
        assertThat(names.deadLetters()).isEqualTo("dead-letters");
        assertThat(names.all()).containsExactly("images", "predictions", "labels", "metrics", "dead-letters", "references", "alerts");
    }

    @Test
    void aPrefixKeepsOneRunsTopicsApart() {
        assertThat(TopicNames.defaults().withPrefix("run-7.").all())
                .containsExactly("run-7.images", "run-7.predictions", "run-7.labels", "run-7.metrics",
                        "run-7.dead-letters", "run-7.references", "run-7.alerts");
    }

    @Test
    void illegalKafkaTopicNamesAreRefused() {
        assertThatThrownBy(() -> new TopicNames("my images", "p", "l", "m", "d", "r", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'my images'");
        assertThatThrownBy(() -> new TopicNames("..", "p", "l", "m", "d", "r", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TopicNames("i".repeat(250), "p", "l", "m", "r", "x", "d"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eachRecordTypeGetsItsOwnTopic() {
        assertThatThrownBy(() -> new TopicNames("a", "b", "a", "m", "d", "r", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must differ");
    }
}
