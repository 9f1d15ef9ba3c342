# Kafka from Maven jars, shared by brokers-up.sh and cluster-up.sh: sourced after common.sh.

java_bin() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then echo "$JAVA_HOME/bin/java"; else echo java; fi
}

# kafka_tools: kcat (to see that a broker serves) and a Java runtime, installed if missing.
kafka_tools() {
  need_cmd kcat kcat
  command -v java >/dev/null 2>&1 || [[ -n ${JAVA_HOME:-} ]] || apt_install openjdk-17-jre-headless
}

kafka_libs() { # resolve the jars into $CACHE_DIR/kafka-libs unless cached for this pom
  local libs="$CACHE_DIR/kafka-libs" pom=scripts/kafka/pom.xml hash
  hash=$(sha256sum "$pom" | cut -d' ' -f1)
  if [[ -f $libs/.pom.sha256 && $(<"$libs/.pom.sha256") == "$hash" ]] \
      && compgen -G "$libs/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  need_cmd mvn maven
  local t0; t0=$(now); local tmp="$CACHE_DIR/kafka-libs.tmp.$$"
  log "resolving the Kafka jars with Maven into $CACHE_DISPLAY/kafka-libs (the first run can take minutes)"
  rm -rf "$tmp"
  if ! mvn -B -q -f "$pom" dependency:copy-dependencies \
      -DoutputDirectory="$tmp" -DincludeScope=runtime -Dstyle.color=never >"$RUN_DIR/maven.log" 2>&1; then
    tail_log "$RUN_DIR/maven.log" "Maven output"
    rm -rf "$tmp"
    die "Maven could not resolve scripts/kafka/pom.xml"
  fi
  echo "$hash" >"$tmp/.pom.sha256"
  rm -rf "$libs"
  mv "$tmp" "$libs"
  log "resolved $(find "$libs" -name '*.jar' | wc -l) jars in $(since "$t0")"
}

# kafka_jvm LOG_DIR: sets the array KAFKA_JVM to the java command and its options (jars resolved,
# Java 17 or newer checked); Log4j writes to LOG_DIR/${KAFKA_LOG_NAME:-kafka}.log.
kafka_jvm() {
  kafka_libs
  local java major
  java=$(java_bin)
  major=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [[ ${major%%.*} =~ ^[0-9]+$ && ${major%%.*} -ge 17 ]] || die "Kafka 4.x needs Java 17 or newer (found '${major:-none}'); set JAVA_HOME"
  KAFKA_JVM=("$java" -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$PWD/scripts/kafka/log4j2.properties"
    "-Dkafka.logs.dir=$1" "-Dkafka.log.name=${KAFKA_LOG_NAME:-kafka}" -cp "$CACHE_DIR/kafka-libs/*")
}

# render TEMPLATE OUT NAME=VALUE...: copies TEMPLATE to OUT with each @NAME@ replaced by VALUE.
render() {
  local tmpl=$1 out=$2 line pair; shift 2
  : >"$out.tmp"
  while IFS= read -r line || [[ -n $line ]]; do
    for pair in "$@"; do line=${line//@${pair%%=*}@/${pair#*=}}; done
    printf '%s\n' "$line" >>"$out.tmp"
  done <"$tmpl"
  mv "$out.tmp" "$out"
}

# kafka_format DATA_DIR PROPS CLUSTER_ID LOGFILE [--standalone]: formats a fresh KRaft log dir.
kafka_format() {
  local data=$1 props=$2 id=$3 logfile=$4; shift 4
  rm -rf "$data"
  mkdir -p "$data"
  printf '==== %s %s: formatting a fresh KRaft log dir\n' "$(date -u +%FT%TZ)" "$SCRIPT" >>"$logfile"
  if ! "${KAFKA_JVM[@]}" kafka.tools.StorageTool format "$@" -t "$id" -c "$props" </dev/null >>"$logfile" 2>&1 7>&- 8>&- 9>&-; then
    tail_log "$logfile" "${logfile##*/}"
    die "kafka storage format failed"
  fi
}

# new_cluster_id: 16 random bytes in URL-safe base64, as Kafka's own ids; drawn again when the id
# starts with "-", which the storage tool would take for an option (one id in 64).
new_cluster_id() {
  local id
  while id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n') && [[ $id == -* ]]; do :; done
  printf '%s\n' "$id"
}

# kafka_metadata PORT: the cluster's metadata as kcat lists it, from the broker at 127.0.0.1:PORT.
kafka_metadata() {
  port_in_use "$1" || return 1
  timeout 5 kcat -b "127.0.0.1:$1" -L -m 2 2>/dev/null
}
