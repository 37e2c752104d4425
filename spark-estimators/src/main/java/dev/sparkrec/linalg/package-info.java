/**
 * Small dense linear algebra in double precision shared by SparkRec's models: factorisations and solves of
 * the few-dozen-dimensional systems that per-user and per-item computations produce.
 */
package dev.sparkrec.linalg;
