package io.cifarstream.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** How {@code --model [ID=]PATH} is read. */
class ModelSpecTest {

    @Test
    void aPathAloneIsNamedAfterItsFile() {
        assertThat(ModelSpec.parse("models/cifar-cnn.onnx")).isEqualTo(new ModelSpec("cifar-cnn", Path.of("models/cifar-cnn.onnx")));
    }

    @Test
    void anExplicitIdComesBeforeTheFirstEqualsSign() {
        assertThat(ModelSpec.parse("challenger=runs/a=b/model.onnx"))
                .isEqualTo(new ModelSpec("challenger", Path.of("runs/a=b/model.onnx")));
    }

    @Test
    void idsThatCannotBeMetricLabelsOrKeysAreRefusedWithTheFix() {
        assertThatThrownBy(() -> ModelSpec.parse("=model.onnx")).hasMessageContaining("e.g. challenger=");
        assertThatThrownBy(() -> ModelSpec.parse("champion=")).hasMessageContaining("needs an id and a path");
        assertThatThrownBy(() -> ModelSpec.parse("my model=m.onnx")).hasMessageContaining("letters, digits");
    }
}
