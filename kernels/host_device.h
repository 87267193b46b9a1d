// DPN_HD marks functions that run on both host and device; it is empty when a plain C++ compiler reads the header.
#pragma once

#if defined(__CUDACC__)
#define DPN_HD __host__ __device__
#else
#define DPN_HD
#endif
