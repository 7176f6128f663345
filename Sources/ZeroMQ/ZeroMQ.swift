// ZeroMQ: the Swift face of libzmq (written in a later commit).
import CZeroMQ
