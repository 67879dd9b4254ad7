/* faults.c: memory faults in the middle of a translated block, for
 * --fault-report: the reported instruction must be the faulting one (each
 * is marked by a global label the test looks up with nm), not the block start. */
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 1;
	if (!strcmp(argv[1], "store"))
		__asm__ volatile("mov $1, %%eax\n\tadd $2, %%eax\n\timul %%eax, %%eax\n"
				 ".globl fault_store\nfault_store:\n\tmovl %%eax, 0x10\n\tnop"
				 ::: "eax", "memory");
	if (!strcmp(argv[1], "load"))
		__asm__ volatile("xor %%ecx, %%ecx\n\tmov $0x20, %%edx\n\tadd %%rdx, %%rcx\n"
				 ".globl fault_load\nfault_load:\n\tmov 8(%%rcx,%%rdx,2), %%rax\n\tnop"
				 ::: "rax", "rcx", "rdx", "memory");
	if (!strcmp(argv[1], "rep"))
		__asm__ volatile("mov $0x1000, %%edi\n\tmov $64, %%ecx\n\txor %%eax, %%eax\n"
				 ".globl fault_rep\nfault_rep:\n\trep stosb\n\tnop"
				 ::: "rax", "rcx", "rdi", "memory");
	if (!strcmp(argv[1], "push"))
		__asm__ volatile("mov %%rsp, %%rbx\n\tmov $0x2008, %%esp\n\tmov $3, %%eax\n"
				 ".globl fault_push\nfault_push:\n\tpush %%rax\n\tmov %%rbx, %%rsp"
				 ::: "rax", "rbx", "memory");
	return 0;
}
