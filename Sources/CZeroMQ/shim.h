#ifndef RISKSTREAM_CZEROMQ_SHIM_H
#define RISKSTREAM_CZEROMQ_SHIM_H
// libzmq's public C API (Debian: libzmq3-dev). Nothing else belongs here.
#include <zmq.h>
#endif
