package dev.sparkrec.nn;

import java.util.List;

/** A building block of a model that owns parameters (weights, embedding tables, running statistics). */
public interface Module {

  /** Every parameter, trainable or state, in a fixed order (names unique within a model). */
  List<Parameter> parameters();
}
