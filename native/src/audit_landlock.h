/* Landlock denials from the kernel's audit records (audit_landlock.c). */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

/* Before the clone: joins the audit read-log group when audit is enabled and readable; else nothing. */
void audit_landlock_open(bool wanted);
/* The landlock_restrict_self flags the workload uses (0 without the audit route). */
unsigned int audit_landlock_restrict_flags(void);
int audit_landlock_poll_fd(void);
void audit_landlock_handle(void);
/* In the sandbox child: the socket is not its. */
void audit_landlock_child(void);
/* Finds the workload's pid as the host sees it (init's child): its domains are the run's. */
void audit_landlock_workload_of(pid_t init);
/* At MSG_EXEC: the same (when not found earlier: a command this short may be gone already), and the command runs. */
void audit_landlock_exec(pid_t init);
/* Before the exit line: one "denial" status event per distinct refused (path, rights) of the run's domains. */
void audit_landlock_report(void);
