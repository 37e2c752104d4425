package dev.sparkrec.pipelines.bench.nis;

import dev.sparkrec.nis.NeuralInputSearch;
import java.util.Map;

/** One setting of the dimension search that the NIS suites' sweeps compare and their comparisons run. */
record SearchSetting(double l1, double selectionStepSize, int searchEpochs) {

  /** The reference scripts' setting (NeuralInputSearch's defaults). */
  static final SearchSetting REFERENCE = new SearchSetting(1e-5, 0.01, 5);

  NeuralInputSearch apply(NeuralInputSearch search) {
    return search.setL1(l1).setSelectionStepSize(selectionStepSize).setSearchEpochs(searchEpochs);
  }

  Map<String, Object> config() {
    return Map.of("l1", l1, "selectionStepSize", selectionStepSize, "searchEpochs", searchEpochs);
  }
}
