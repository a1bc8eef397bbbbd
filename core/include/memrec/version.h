#pragma once

#define MEMREC_VERSION_STRING "0.1.0"
