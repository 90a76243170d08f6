/* siteboot image: its verbs live in files of their own (cmd_image_*.c);
 * cmd_image.c dispatches. Private to bootstrap/. */
#ifndef SB_BOOTSTRAP_CMD_IMAGE_H
#define SB_BOOTSTRAP_CMD_IMAGE_H

#include "bootstrap/cli.h"

/* image answer-iso (cmd_image_answer.c); argv[0] is the verb. */
int sb_image_answer_iso(struct sb_cli *cli, int argc, char **argv);
extern const struct sb_opt sb_image_answer_opts[];
/* image serve (cmd_image_serve.c). */
int sb_image_serve(struct sb_cli *cli, int argc, char **argv);
extern const struct sb_opt sb_image_serve_opts[];

/* image verify, write and build (cmd_image_media.c); argv[0] is the verb.
 * They share one option table. */
int sb_image_verify_cmd(struct sb_cli *cli, int argc, char **argv);
int sb_image_write_cmd(struct sb_cli *cli, int argc, char **argv);
int sb_image_build_cmd(struct sb_cli *cli, int argc, char **argv);
extern const struct sb_opt sb_image_media_opts[];

#endif
