/** SQL UDFs with CPU implementations and RAPIDS GPU twins. */
package dev.sparkrec.gpu;
