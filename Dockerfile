# syntax=docker/dockerfile:1
# The cifar-stream image: every subcommand of bin/cifar-stream, e.g. `docker run --rm cifar-stream score --help`.
#
# Build arguments:
#   MAVEN_PROFILE  empty (default): ONNX Runtime for the CPU. `cuda`: `mvn -Pcuda`, ONNX Runtime's GPU build.
#   RUNTIME_BASE   the image the app runs on. It must be glibc-based: ONNX Runtime's and libtorch's natives need
#                  glibc (no Alpine). The GPU build needs CUDA 12 and cuDNN 9 in it:
#                  docker build --build-arg MAVEN_PROFILE=cuda \
#                    --build-arg RUNTIME_BASE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu22.04 -t cifar-stream:cuda .
# libtorch's native jar exists for linux-x86_64 only, so the image is linux/amd64.
# Extra JVM options at run time: JAVA_TOOL_OPTIONS (bin/cifar-stream's JAVA_OPTS), e.g. -XX:MaxRAMPercentage=60.

ARG RUNTIME_BASE=eclipse-temurin:17-jre-jammy

FROM maven:3.9-eclipse-temurin-17 AS build
ARG MAVEN_PROFILE=
WORKDIR /src
COPY . .
# The cache mount keeps ~/.m2 between builds, so a source change does not download the 600 MB of natives again.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B package -DskipTests ${MAVEN_PROFILE:+-P${MAVEN_PROFILE}}

FROM eclipse-temurin:17-jre-jammy AS jre

FROM ${RUNTIME_BASE}
# A JRE 17 on whichever glibc base was chosen: a no-op on the default base, Java itself on a CUDA base.
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:$PATH \
    OMP_WAIT_POLICY=PASSIVE
# curl: the compose healthchecks ask the HTTP endpoints.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 cifar \
    && useradd --system --uid 10001 --gid cifar --create-home --home-dir /home/cifar cifar \
    && mkdir -p /models /data /var/lib/cifar-stream \
    && chown cifar:cifar /models /data /var/lib/cifar-stream
# The thin jar's manifest names lib/*, so both go side by side.
COPY --from=build /src/app/target/lib /opt/cifar-stream/lib
COPY --from=build /src/app/target/cifar-stream.jar /opt/cifar-stream/cifar-stream.jar
USER cifar
# Relative paths (runs/, the metrics state) land here.
WORKDIR /var/lib/cifar-stream
VOLUME ["/models", "/data"]
# The JVM flags of bin/cifar-stream (DockerComposeFileTest keeps them equal); /tmp exists for ONNX Runtime's natives.
ENTRYPOINT ["java", "-Dai.djl.offline=true", "-Djava.awt.headless=true", "-Djava.io.tmpdir=/tmp", "-jar", "/opt/cifar-stream/cifar-stream.jar"]
CMD ["--help"]
