#ifndef SB_BOOTSTRAP_VERSION_H
#define SB_BOOTSTRAP_VERSION_H
/* Set by the build from the VERSION file. */
#ifndef SB_VERSION
#define SB_VERSION "0.0.0-dev"
#endif
#endif
