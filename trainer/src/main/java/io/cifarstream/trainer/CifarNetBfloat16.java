package io.cifarstream.trainer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;

/**
 * {@link CifarNet}'s training forward pass with its convolutions in bfloat16 ({@link Precision#BFLOAT16}): the same
 * layers in the same order (ReLU after each max-pool), on the same float32 parameter arrays, so the backward pass
 * leaves float32 gradients on them for {@link SgdOptimizer}. The input and the weights are rounded to bfloat16 for
 * the three convolution blocks; their output goes back to float32 for the fully connected layers and log-softmax,
 * whose cost is small and whose sums are the longest.
 *
 * <p>DJL 0.36 cannot make a bfloat16 tensor itself (its JNI layer maps data types only up to {@code COMPLEX64}) and has
 * no autocast, so the casts live inside a TorchScript function, {@link #SOURCE}, that libtorch compiles when the
 * archive this class writes in memory is loaded: TorchScript's serialized form is a zip of the source, a pickled
 * module object and a version. Nothing is downloaded or generated outside this class.
 */
final class CifarNetBfloat16 {
    /** libtorch's ScalarType codes, which serialized TorchScript uses for dtypes. */
    private static final int FLOAT32 = 6;
    private static final int BFLOAT16 = 15;

    private static final String CLASS = "CifarNetBfloat16";

    /** The forward pass; the parameters arrive in {@link CifarNet#parameters()} order. */
    private static final String SOURCE = String.format(Locale.ROOT, """
            class %1$s(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.%1$s,
                  x: Tensor,
                  conv1_weight: Tensor, conv1_bias: Tensor,
                  conv2_weight: Tensor, conv2_bias: Tensor,
                  conv3_weight: Tensor, conv3_bias: Tensor,
                  fc1_weight: Tensor, fc1_bias: Tensor,
                  fc2_weight: Tensor, fc2_bias: Tensor,
                  fc3_weight: Tensor, fc3_bias: Tensor) -> Tensor:
                h = torch.to(x, %2$d)
                h = torch.conv2d(h, torch.to(conv1_weight, %2$d), torch.to(conv1_bias, %2$d))
                h = torch.relu(torch.max_pool2d(h, [2, 2]))
                h = torch.conv2d(h, torch.to(conv2_weight, %2$d), torch.to(conv2_bias, %2$d))
                h = torch.relu(torch.max_pool2d(h, [2, 2]))
                h = torch.conv2d(h, torch.to(conv3_weight, %2$d), torch.to(conv3_bias, %2$d))
                h = torch.relu(torch.max_pool2d(h, [2, 2]))
                h = torch.flatten(torch.to(h, %3$d), 1)
                h = torch.relu(torch.linear(h, fc1_weight, fc1_bias))
                h = torch.relu(torch.linear(h, fc2_weight, fc2_bias))
                return torch.log_softmax(torch.linear(h, fc3_weight, fc3_bias), 1)
            """, CLASS, BFLOAT16, FLOAT32);

    private final List<NDArray> parameters;
    private final PtSymbolBlock module;

    private CifarNetBfloat16(CifarNet net, PtSymbolBlock module) {
        this.parameters = net.parameters().stream().map(CifarNet.NamedParameter::array).toList();
        this.module = module;
    }

    /** The bfloat16 forward pass of {@code net}; the compiled function belongs to {@code manager}. */
    static CifarNetBfloat16 of(CifarNet net, NDManager manager) {
        try {
            PtSymbolBlock module = JniUtils.loadModule((PtNDManager) manager,
                    new ByteArrayInputStream(archive()), false, false);
            return new CifarNetBfloat16(net, module);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Log-probabilities [N,10], float32, for normalized images [N,3,32,32]; records gradients in a collector. */
    NDArray forward(NDArray images) {
        NDList inputs = new NDList(1 + parameters.size());
        inputs.add(images);
        inputs.addAll(parameters);
        return IValueUtils.forward(module, inputs, true).singletonOrThrow();
    }

    /**
     * The TorchScript archive: {@code code/__torch__.py} (the source), {@code data.pkl} (the module object: pickle
     * protocol 2 of {@code __torch__.CifarNetBfloat16} with {@code training = True}), {@code constants.pkl} (an
     * empty tuple) and {@code version} 3, the oldest format that holds source, as {@code torch.jit.save} writes for
     * this module; entries stored uncompressed under one folder.
     */
    private static byte[] archive() throws IOException {
        ByteArrayOutputStream pickle = new ByteArrayOutputStream();
        pickle.write(new byte[] {(byte) 0x80, 2, 'c'}); // PROTO 2, GLOBAL module\nname\n
        pickle.write(("__torch__\n" + CLASS + "\n").getBytes(StandardCharsets.US_ASCII));
        pickle.write(new byte[] {')', (byte) 0x81, '}', '(', 'X'}); // EMPTY_TUPLE NEWOBJ EMPTY_DICT MARK BINUNICODE
        pickle.write(new byte[] {8, 0, 0, 0});
        pickle.write("training".getBytes(StandardCharsets.US_ASCII));
        pickle.write(new byte[] {(byte) 0x88, 'u', 'b', '.'}); // NEWTRUE SETITEMS BUILD STOP

        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            String folder = "cifar_net_bfloat16/";
            stored(out, folder + "data.pkl", pickle.toByteArray());
            stored(out, folder + "code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
            stored(out, folder + "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(out, folder + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return zip.toByteArray();
    }

    private static void stored(ZipOutputStream out, String name, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(content.length);
        CRC32 crc = new CRC32();
        crc.update(content);
        entry.setCrc(crc.getValue());
        out.putNextEntry(entry);
        out.write(content);
        out.closeEntry();
    }
}
